import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WriteBatch } from '@google-cloud/firestore';
import { createDatabase, defineRepository, f, PartialWriteError, UniqueViolationError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';

const emulator = await useFirestoreEmulator();
const notes = defineRepository('notes', { id: f.id(), body: f.text(), n: f.integer() }, { table: `batch_${suffix()}` });
const driver = testDriver(emulator, { maxBatchOps: 500 });
const db = createDatabase({ driver, repositories: { notes } });
await db.connect();
const collection = driver.firestore.collection(notes.schema.table);

// Count real SDK batch commits.
let commits = 0;
const original = WriteBatch.prototype.commit;
WriteBatch.prototype.commit = function (this: WriteBatch, ...args: []) {
  commits++;
  return original.apply(this, args);
};

const rows = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ id: `${tag}-${String(i).padStart(5, '0')}`, body: `${tag} ${i}`, n: i }));

test('createMany of 1,200 documents with the cap at 500 commits 3 batches', async () => {
  commits = 0;
  const created = await db.notes.createMany(rows(1200, 'ok'));
  assert.is(created.length, 1200);
  assert.is(commits, 3);
  assert.is(await db.notes.count({ body: { startsWith: 'ok ' } }), 1200);
});

test('when the second batch fails on a real ALREADY_EXISTS, PartialWriteError lists exactly the committed ids', async () => {
  const input = rows(1200, 'pw');
  await db.notes.create(input[700]!); // pre-created: the second batch (500..999) will fail
  commits = 0;
  let error: unknown;
  try {
    await db.notes.createMany(input);
  } catch (e) {
    error = e;
  }
  assert.instance(error, PartialWriteError);
  const written = (error as PartialWriteError).writtenIds;
  assert.equal([...written], input.slice(0, 500).map((r) => r.id));
  assert.instance((error as PartialWriteError).cause, UniqueViolationError);
  assert.is(commits, 2, 'nothing is sent after the failing batch');
  const present = (await collection.where('body', '>=', 'pw ').where('body', '<', 'pw!').select().get()).docs.map((d) => d.id).sort();
  assert.equal(present, [...written, input[700]!.id].sort(), 'the written ids exist; the failed batch and the rest do not');
});

test('a createMany within one batch is atomic: a duplicate writes nothing', async () => {
  const input = rows(20, 'at');
  await db.notes.create(input[19]!);
  try {
    await db.notes.createMany(input);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UniqueViolationError);
  }
  assert.is(await db.notes.count({ body: { startsWith: 'at ' } }), 1);
});

test('batches are also cut by request size', async () => {
  const big = defineRepository('bigNotes', { id: f.id(), body: f.text() }, { table: `batchsize_${suffix()}` });
  const small = testDriver(emulator, { maxBatchOps: 500, maxBatchBytes: 1_048_576 });
  const db2 = createDatabase({ driver: small, repositories: { big } });
  await db2.connect();
  commits = 0;
  // 12 documents of ~300 KB: at most 3 fit under 1 MiB per request.
  await db2.big.createMany(Array.from({ length: 12 }, (_, i) => ({ id: `b${i}`, body: 'x'.repeat(300_000) })));
  assert.is(commits, 4);
  assert.is(await db2.big.count({}), 12);
  await db2.big.deleteMany({});
  await db2.close();
});

test('a chunk cut for its bytes does not keep later chunks small, in the same call or the next', async () => {
  const sized = defineRepository('sized', { id: f.id(), body: f.text(), tag: f.string() }, { table: `batchgrow_${suffix()}` });
  const tight = testDriver(emulator, { maxBatchOps: 500, maxBatchBytes: 64 * 1024 });
  const db4 = createDatabase({ driver: tight, repositories: { sized } });
  await db4.connect();
  const big = 'y'.repeat(30_000);
  // g-00..g-03 get 30 KB each (two fit in 64 KiB); g-04..g-43 hold it already, so they write nothing.
  await db4.sized.createMany(Array.from({ length: 44 }, (_, i) => ({ id: `g-${String(i).padStart(2, '0')}`, body: i < 4 ? 'small' : big, tag: 'g' })));
  let transactions = 0;
  const runTransaction = tight.firestore.runTransaction.bind(tight.firestore);
  tight.firestore.runTransaction = ((...args: Parameters<typeof runTransaction>) => {
    transactions++;
    return runTransaction(...args);
  }) as typeof runTransaction;
  assert.is(await db4.sized.updateMany({ tag: 'g' }, { body: big }), 44);
  // 44 refused, then 2, 2 (the 30 KB writes), 2, 4, 8, 16 and the last 10: not 21 more chunks of 2.
  assert.is(transactions, 8);
  assert.equal((await db4.sized.find({ where: { tag: 'g' } })).map((r) => r.body.length), Array(44).fill(30_000), 'every write applied');
  transactions = 0;
  assert.is(await db4.sized.updateMany({ tag: 'g' }, { tag: 'h' }), 44);
  assert.is(transactions, 1, 'the next call starts at full size');
  assert.is(await db4.sized.count({ tag: 'h' }), 44);
  await db4.sized.deleteMany({});
  await db4.close();
});

test('updateMany and deleteMany by filter page through more matches than one batch', async () => {
  assert.is(await db.notes.updateMany({ body: { startsWith: 'ok ' }, n: { gte: 100 } }, { n: 0 }), 1100);
  assert.is(await db.notes.count({ body: { startsWith: 'ok ' }, n: 0 }), 1101);
  assert.is(await db.notes.deleteMany({ body: { startsWith: 'ok ' } }), 1200);
  assert.is(await db.notes.count({ body: { startsWith: 'ok ' } }), 0);
});

test('updateMany split across transactions raises PartialWriteError with the ids already updated', async () => {
  const people = defineRepository('people', { id: f.id(), email: f.string().unique(), n: f.integer() }, { table: `batchupd_${suffix()}` });
  // One record per transaction: a write of a unique field costs 3 operations (record, new lock, old lock).
  const db3 = createDatabase({ driver: testDriver(emulator, { maxBatchOps: 3 }), repositories: { people } });
  await db3.connect();
  const created = await db3.people.createMany([{ id: 'p1', email: 'a@x', n: 1 }, { id: 'p2', email: 'b@x', n: 1 }, { id: 'p3', email: 'c@x', n: 1 }]);
  let error: unknown;
  try {
    await db3.people.updateMany({ n: 1 }, { email: 'same@x' });
  } catch (e) {
    error = e;
  }
  assert.instance(error, PartialWriteError);
  assert.equal([...(error as PartialWriteError).writtenIds], ['p1']);
  assert.instance((error as PartialWriteError).cause, UniqueViolationError);
  const after = await db3.people.find({ orderBy: { id: 'asc' } });
  assert.equal(after.map((r) => r.email), ['same@x', 'b@x', 'c@x']);
  assert.is(created.length, 3);
  await db3.people.deleteMany({});
  await db3.close();
});

test.after(async () => {
  WriteBatch.prototype.commit = original;
  await db.notes.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
