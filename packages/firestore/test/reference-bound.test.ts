import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, UnsupportedQueryError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { suffix, testDriver } from './helpers/emulator.js';

// onDelete cascades run in the delete's transaction, so they are bounded by
// one commit (maxBatchOps, 500 by default; 5 here to keep the test small).
const emulator = await useFirestoreEmulator();
const run = suffix();
const topics = defineRepository('topics', { id: f.id(), name: f.string() }, { table: `ri_topics_${run}` });
const entries = defineRepository('entries', {
  id: f.id(),
  topicId: f.string().references('topics', { onDelete: 'cascade' }),
}, { table: `ri_entries_${run}` });
const notes = defineRepository('notes', {
  id: f.id(),
  body: f.text(),
  topicId: f.string().optional().references('topics'),
}, { table: `ri_notes_${run}` });
const db = createDatabase({ driver: testDriver(emulator, { maxBatchOps: 5 }), repositories: { entries, topics, notes } });
await db.connect();

test('a createMany whose references are all null is batched like any other, past the size of one request', async () => {
  // 50 records of 100 KB: 5 MB, over the emulator's 4 MiB request. With nothing to check, no transaction holds them.
  const body = 'n'.repeat(100_000);
  const made = await db.notes.createMany(Array.from({ length: 50 }, () => ({ body })));
  assert.is(made.length, 50);
  assert.is(await db.notes.count({ topicId: null }), 50);
  const topic = await db.topics.create({ name: 'checked' });
  await db.notes.createMany([{ body: 'a', topicId: topic.id }, { body: 'b' }]);
  assert.is(await db.notes.count({ topicId: topic.id }), 1, 'a reference in the batch is still checked and stored');
  const refused = await db.notes.createMany([{ body: 'c' }, { body: 'd', topicId: 'no-such-topic' }]).then(() => undefined, (e: unknown) => e);
  assert.is((refused as { code?: string } | undefined)?.code, 'FOREIGN_KEY', 'a missing topic is refused');
  assert.is(await db.notes.count({}), 52, 'the refused batch wrote nothing');
});

test('a createMany that names records and is too large for one transaction says why it is one, and writes nothing', async () => {
  const topic = await db.topics.create({ name: 'big-batch' });
  const body = 'r'.repeat(100_000);
  const error = await db.notes.createMany(Array.from({ length: 50 }, () => ({ body, topicId: topic.id }))).then(() => undefined, (e: unknown) => e);
  assert.instance(error, UnsupportedQueryError);
  assert.match((error as Error).message, /^notes\.createMany names records of other repositories \(\.references\(\)\), so it is checked and written in one transaction/);
  assert.match((error as Error).message, 'Write fewer records per call');
  assert.is((error as UnsupportedQueryError).info.limit, 'requestBytes');
  assert.is(await db.notes.count({ topicId: topic.id }), 0);
});

test('a cascade past maxReferenceWrites raises UnsupportedQueryError and deletes nothing', async () => {
  assert.is(db.driver.capabilities.maxReferenceWrites, 5);
  const topic = await db.topics.create({ name: 'big' });
  await db.entries.createMany(Array.from({ length: 5 }, () => ({ topicId: topic.id })));
  await db.entries.create({ topicId: topic.id });
  try {
    await db.topics.delete(topic.id);
    assert.unreachable('the delete should be refused');
  } catch (error) {
    assert.instance(error, UnsupportedQueryError);
    assert.is((error as UnsupportedQueryError).info.capability, 'maxReferenceWrites');
    assert.match((error as Error).message, 'background job');
  }
  assert.ok(await db.topics.get(topic.id));
  assert.is(await db.entries.count({ topicId: topic.id }), 6);
});

test('planning a cascade far past the bound stops reading at the bound, and says so', async () => {
  const topic = await db.topics.create({ name: 'huge' });
  await db.entries.createMany(Array.from({ length: 40 }, () => ({ topicId: topic.id })));
  const error = await db.topics.delete(topic.id).then(() => undefined, (e: unknown) => e);
  assert.instance(error, UnsupportedQueryError);
  // Six documents read (the bound plus one), not forty: the message gives the lower bound it saw.
  assert.match((error as Error).message, /at least 6 referencing records/);
  assert.is(await db.entries.count({ topicId: topic.id }), 40);
});

test('a cascade within the bound deletes the referencing documents with their parent', async () => {
  const topic = await db.topics.create({ name: 'small' });
  await db.entries.createMany(Array.from({ length: 4 }, () => ({ topicId: topic.id })));
  assert.is(await db.topics.delete(topic.id), true);
  assert.is(await db.entries.count({ topicId: topic.id }), 0);
});

test.after(async () => {
  await db.close();
  await emulator.stop();
});
test.run();
