import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FieldValue, Transaction } from '@google-cloud/firestore';
import { createDatabase, NotFoundError, ConflictError, UniqueViolationError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver } from './helpers/emulator.js';
import { testRepositories } from './helpers/schemas.js';

const emulator = await useFirestoreEmulator();
const driver = testDriver(emulator);
const db = createDatabase({ driver, repositories: testRepositories() });
await db.connect();

test('values round-trip: Date ms, bigint at int64 max, bytes, json, arrays, explicit nulls', async () => {
  const created = new Date('2024-05-06T07:08:09.123Z');
  const u = await db.users.create({
    name: 'Ada', email: 'ada@example.com', balance: 9223372036854775807n, avatar: new Uint8Array([0, 1, 255]),
    prefs: { a: [[1, 2]], __x__: { 'b.c/d': null } }, tags: ['x', 'y'], score: 1.5,
  });
  const got = await db.users.get(u.id);
  assert.ok(got);
  assert.is(got!.balance, 9223372036854775807n);
  assert.equal([...(got!.avatar as Uint8Array)], [0, 1, 255]);
  assert.equal(got!.prefs, { a: [[1, 2]], __x__: { 'b.c/d': null } });
  assert.equal(got!.tags, ['x', 'y']);
  assert.is(got!.age, null);
  assert.is(got!.score, 1.5);
  assert.ok(got!.createdAt instanceof Date);
  const raw = await driver.firestore.collection(db.schemas.get('users')!.table).doc(u.id).get();
  assert.ok(raw.data()!.age === null && 'age' in raw.data()!, 'absent optional fields are stored as explicit nulls');
  void created;
});

test('update increments, bumps the version, and a stale version raises ConflictError', async () => {
  const u = await db.users.create({ name: 'Bob', email: 'bob@example.com', age: 30 });
  const v2 = await db.users.update(u.id, { age: { increment: 2 } as never });
  assert.is(v2.age, 32);
  assert.is(v2.version, 2);
  try {
    await db.users.update(u.id, { name: 'x' }, { expectedVersion: 1 });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ConflictError);
  }
  assert.is((await db.users.get(u.id))!.name, 'Bob');
});

test('increments reach Firestore as FieldValue.increment transforms', async () => {
  const u = await db.users.create({ name: 'Inc', email: 'inc@example.com', age: 1 });
  const sent: Record<string, unknown>[] = [];
  const original = Transaction.prototype.update;
  Transaction.prototype.update = function (this: Transaction, ...args: unknown[]) {
    sent.push(args[1] as Record<string, unknown>);
    return (original as (...a: unknown[]) => Transaction).apply(this, args);
  } as typeof original;
  try {
    const after = await db.users.update(u.id, { age: { increment: 41 } } as never);
    assert.is(after.age, 42);
  } finally {
    Transaction.prototype.update = original;
  }
  assert.is(sent.length, 1);
  assert.ok((sent[0]!.age as FieldValue).isEqual(FieldValue.increment(41)));
  assert.ok((sent[0]!.version as FieldValue).isEqual(FieldValue.increment(1)));
  assert.is((await db.users.get(u.id))!.age, 42);
});

test('unique field: a second record with the same email raises UniqueViolationError', async () => {
  await db.users.create({ name: 'C', email: 'c@example.com' });
  try {
    await db.users.create({ name: 'C2', email: 'c@example.com' });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UniqueViolationError);
    assert.equal((e as UniqueViolationError).info.fields, ['email']);
  }
  assert.is(await db.users.count({ email: 'c@example.com' }), 1);
});

test('unique value is released by delete and by update', async () => {
  const a = await db.users.create({ name: 'D', email: 'd@example.com' });
  await db.users.update(a.id, { email: 'd2@example.com' });
  const b = await db.users.create({ name: 'D again', email: 'd@example.com' });
  await db.users.delete(b.id);
  const c = await db.users.create({ name: 'D third', email: 'd@example.com' });
  assert.ok(c.id);
});

test('delete, then update of the missing record raises NotFoundError', async () => {
  const u = await db.users.create({ name: 'E', email: 'e@example.com' });
  assert.is(await db.users.delete(u.id), true);
  assert.is(await db.users.get(u.id), null);
  try {
    await db.users.update(u.id, { name: 'x' });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, NotFoundError);
  }
});

test('find with filters, orderBy, limit and offset', async () => {
  const conv = 'conv-' + Math.random();
  await db.messages.createMany(Array.from({ length: 10 }, (_, i) => ({ conversationId: conv, role: 'user' as const, body: `m${i}`, rank: i % 3 })));
  const rows = await db.messages.find({ where: { conversationId: conv, rank: { gte: 1 } }, orderBy: [{ rank: 'desc' }], limit: 4, offset: 1 });
  assert.is(rows.length, 4);
  assert.ok(rows.every((r) => (r.rank as number) >= 1));
  assert.is(await db.messages.count({ conversationId: conv, body: { startsWith: 'm' } }), 10);
  assert.is(await db.messages.count({ conversationId: conv, not: { body: { startsWith: 'm1' } } }), 9);
  assert.is(await db.messages.updateMany({ conversationId: conv, rank: 0 }, { body: 'zero' }), 4);
  assert.is(await db.messages.deleteMany({ conversationId: conv, body: 'zero' }), 4);
  assert.is(await db.messages.count({ conversationId: conv }), 6);
});

test('transaction sees its own writes and commits them together', async () => {
  const res = await db.transaction(async (tx) => {
    const u = await tx.users.create({ name: 'T', email: 't@example.com' });
    const again = await tx.users.get(u.id);
    const n = await tx.users.count({ email: 't@example.com' });
    const found = await tx.users.find({ where: { email: 't@example.com' } });
    await tx.users.update(u.id, { age: 5 });
    return { u, again, n, found: found.length };
  });
  assert.ok(res.again);
  assert.is(res.n, 1);
  assert.is(res.found, 1);
  assert.is((await db.users.get(res.u.id))!.age, 5);
});

test('a transaction that throws writes nothing', async () => {
  let id = '';
  try {
    await db.transaction(async (tx) => {
      id = (await tx.users.create({ name: 'R', email: 'r@example.com' })).id as string;
      throw new Error('boom');
    });
  } catch (e) {
    assert.is((e as Error).message, 'boom');
  }
  assert.is(await db.users.get(id), null);
  assert.is(await db.users.count({ email: 'r@example.com' }), 0);
});

test('upsert inserts then updates', async () => {
  const a = await db.users.upsert({ id: 'up-1', name: 'U', email: 'u@example.com' });
  const b = await db.users.upsert({ id: 'up-1', name: 'U2', email: 'u@example.com' });
  assert.is(a.name, 'U');
  assert.is(b.name, 'U2');
  assert.is(b.version, 2);
});

test('health reports up with a latency', async () => {
  const h = await db.health();
  assert.is(h.status, 'up');
  assert.type(h.components[0]!.latencyMs, 'number');
});

test.after(async () => {
  await db.close();
  await emulator.stop();
});
test.run();
