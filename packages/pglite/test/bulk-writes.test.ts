import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { ChatcoreError, createDatabase, defineRepository, f, UniqueViolationError, UnsupportedQueryError } from '@chatcore/core';
import { pglite } from '../src/index.js';
import { shared } from './helpers/shared-pglite.js';

// Fourteen fields, one an array: bulk inserts bind one parameter per value.
const wide = defineRepository('wide', {
  id: f.id(), a: f.string(), b: f.string(), c: f.string(), d: f.integer(), e: f.integer(), g: f.boolean(),
  h: f.text(), i: f.string().unique(), j: f.string(), k: f.number(), at: f.timestamp(), tags: f.array(f.string()), version: f.version(),
}, { table: `wide_${randomBytes(4).toString('hex')}` });
const docs = defineRepository('docs', { id: f.id(), n: f.integer(), body: f.text(), version: f.version() }, { table: `docs_${randomBytes(4).toString('hex')}` });

const driver = pglite({ client: shared });
const db = createDatabase({ driver, repositories: { wide, docs } });
await db.connect();

const row = (n: number, i = `i${n}`) => ({ a: `a${n}`, b: 'b', c: 'c', d: n, e: 2, g: true, h: 'hello', i, j: 'j', k: 1.5, at: new Date(0), tags: ['x', 'y'] });

async function errorOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  return assert.unreachable('expected an error');
}

test('createMany of 2,400 records of 14 fields (33,600 values) leaves count, find and get right', async () => {
  const seed = await db.wide.create(row(-1));
  const made = await db.wide.createMany(Array.from({ length: 2400 }, (_, n) => row(n)));
  assert.is(made.length, 2400);
  assert.is(await db.wide.count(), 2401);
  assert.equal((await db.wide.find({ where: { a: 'a-1' } })).map((r) => r.id), [seed.id]);
  assert.equal(await db.wide.get(made[2399]!.id), made[2399]);
  const after = await db.wide.create(row(9999));
  assert.equal(await db.wide.get(after.id), after);
  await db.wide.deleteMany({});
});

test('a createMany split into several statements is atomic: a duplicate in the last one writes nothing', async () => {
  const seed = await db.wide.create(row(-1));
  const rows = Array.from({ length: 5000 }, (_, n) => row(n));
  rows[4999] = row(4999, 'i0');
  const err = await errorOf(() => db.wide.createMany(rows));
  assert.instance(err, UniqueViolationError);
  assert.is(await db.wide.count(), 1);
  assert.equal(await db.wide.get(seed.id), seed);
  await db.wide.deleteMany({});
});

test('a statement of more than 32,767 parameters is refused before it is sent, and the database keeps answering', async () => {
  const seed = await db.wide.create(row(-1));
  const k = driver.kysely<{ wide: typeof wide }>();
  const values = Array.from({ length: 2400 }, (_, n) => ({
    id: `k${n}`, a: 'a', b: 'b', c: 'c', d: n, e: 2, g: true, h: 'h', i: `k${n}`, j: 'j', k: 1, at: new Date(0), tags: ['t'], version: 1,
  }));
  const err = await errorOf(() => k.insertInto(wide.schema.table as 'wide').values(values as never).execute());
  assert.instance(err, UnsupportedQueryError);
  assert.is((err as ChatcoreError).code, 'UNSUPPORTED_QUERY');
  assert.match((err as Error).message, '33600 bind parameters');
  assert.is(await db.wide.count(), 1);
  assert.equal(await db.wide.get(seed.id), seed);
  await db.wide.deleteMany({});
});

test('a createMany of large records is split by size and still written whole', async () => {
  // 12 MiB of text: several statements under PGlite's byte budget, one transaction.
  const body = 'x'.repeat(100_000);
  const rows = Array.from({ length: 120 }, (_, n) => ({ id: `d${n}`, n, body }));
  const existing = await db.docs.create({ id: 'taken', n: -1, body: 'first' });
  const err = await errorOf(() => db.docs.createMany([...rows, { id: 'taken', n: -1, body: 'again' }]));
  assert.instance(err, UniqueViolationError);
  assert.is(await db.docs.count(), 1);
  assert.equal(await db.docs.get('taken'), existing);
  const made = await db.docs.createMany(rows);
  assert.is(made.length, 120);
  assert.is(await db.docs.count(), 121);
  const back = await db.docs.getMany(rows.map((r) => r.id));
  assert.is(back.length, 120);
  assert.ok(back.every((r) => r.body === body));
});

test.after(() => shared.close());
test.run();
