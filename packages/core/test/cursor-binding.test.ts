import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';

const fields = () => ({ id: f.id(), room: f.string(), n: f.integer(), email: f.string().sensitive({ searchable: true }).optional() });
const messages = defineRepository('messages', fields());
const archived = defineRepository('archived', fields());
// Another deployment's repository with the same name, in another table.
const otherMessages = defineRepository('messages', fields(), { table: 'messages_eu' });

const db = createDatabase({ driver: memoryDriver(), repositories: { messages, archived }, allowPlaintextSensitive: true });
const other = createDatabase({ driver: memoryDriver(), repositories: { messages: otherMessages }, allowPlaintextSensitive: true });
await db.connect();
await other.connect();
const rows = Array.from({ length: 6 }, (_, i) => ({ room: i % 2 ? 'a' : 'b', n: i, email: `u${i}@example.com` }));
await db.messages.createMany(rows);
await db.archived.createMany(rows);
await other.messages.createMany(rows);

async function refused(run: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await run();
  } catch (e) {
    assert.instance(e, ValidationError, what);
    assert.match((e as Error).message, /another repository or query/, what);
    return;
  }
  assert.unreachable(`${what}: the cursor was accepted`);
}

test('a cursor is refused by another repository, including one of the same name in another table', async () => {
  const { nextCursor } = await db.messages.findPage({ orderBy: { n: 'asc' }, limit: 2 });
  assert.ok(nextCursor);
  await refused(() => db.archived.findPage({ orderBy: { n: 'asc' }, limit: 2, after: nextCursor }), 'another repository');
  await refused(() => other.messages.findPage({ orderBy: { n: 'asc' }, limit: 2, after: nextCursor }), 'same name, another table');
  assert.equal((await db.messages.findPage({ orderBy: { n: 'asc' }, limit: 2, after: nextCursor })).items.map((r) => r.n), [2, 3]);
});

test('a cursor is refused with another order or filter shape, and accepted for the same filter written in another order', async () => {
  const where = { room: 'a', n: { in: [1, 3, 5] } };
  const { nextCursor } = await db.messages.findPage({ where, orderBy: { n: 'asc' }, limit: 1 });
  assert.ok(nextCursor);
  await refused(() => db.messages.findPage({ where, orderBy: { n: 'desc' }, limit: 1, after: nextCursor }), 'other direction');
  await refused(() => db.messages.findPage({ where, orderBy: [{ room: 'asc' }, { n: 'asc' }], limit: 1, after: nextCursor }), 'other fields');
  await refused(() => db.messages.findPage({ where: { room: 'a' }, orderBy: { n: 'asc' }, limit: 1, after: nextCursor }), 'condition dropped');
  await refused(() => db.messages.findPage({ where: { room: 'a', n: { notIn: [1, 3, 5] } }, orderBy: { n: 'asc' }, limit: 1, after: nextCursor }), 'other operator');
  await refused(() => db.messages.findPage({ where: { or: [{ room: 'a' }, { n: { in: [1, 3, 5] } }] }, orderBy: { n: 'asc' }, limit: 1, after: nextCursor }), 'or instead of and');
  await refused(() => db.messages.findPage({ orderBy: { n: 'asc' }, limit: 1, after: nextCursor }), 'no filter');
  const same = await db.messages.findPage({ where: { n: { in: [5, 3, 1] }, room: 'a' }, orderBy: { n: 'asc' }, limit: 1, after: nextCursor });
  assert.equal(same.items.map((r) => r.n), [3]);
});

test('values are not part of the check: the cursor only sets where the page starts, and the new filter still applies', async () => {
  const { nextCursor } = await db.messages.findPage({ where: { room: 'a' }, orderBy: { n: 'asc' }, limit: 1 });
  const other = await db.messages.findPage({ where: { room: 'b' }, orderBy: { n: 'asc' }, limit: 5, after: nextCursor });
  assert.equal(other.items.map((r) => [r.room, r.n]), [['b', 2], ['b', 4]]);
});

test('a cursor stays short and opaque, and holds no value of an encrypted field, not even hashed', async () => {
  const page = await db.messages.findPage({ where: { email: 'u1@example.com' }, orderBy: { n: 'desc' }, limit: 1 });
  const cursor = (await db.messages.findPage({ where: { email: { in: ['u1@example.com', 'u3@example.com'] } }, orderBy: { n: 'desc' }, limit: 1 })).nextCursor!;
  assert.is(page.nextCursor, null);
  assert.ok(cursor.length < 120, `${cursor.length} characters`);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.not.ok(Buffer.from(cursor, 'base64url').toString().includes('example.com'));
  // The check covers the shape of an encrypted-field filter only: another email value gives the same check.
  const rest = await db.messages.findPage({ where: { email: { in: ['u5@example.com', 'u1@example.com'] } }, orderBy: { n: 'desc' }, limit: 1, after: cursor });
  assert.equal(rest.items.map((r) => r.n), [1]);
  await refused(() => db.messages.findPage({ where: { email: 'u1@example.com' }, orderBy: { n: 'desc' }, limit: 1, after: cursor }), 'eq instead of in');
});

test('iterate pages through every match with its own cursors', async () => {
  const seen: number[] = [];
  for await (const r of db.messages.iterate({ where: { room: 'b' }, orderBy: { n: 'desc' } }, { pageSize: 1 })) seen.push(r.n as number);
  assert.equal(seen, [4, 2, 0]);
});

test.after(async () => {
  await db.close();
  await other.close();
});

test.run();
