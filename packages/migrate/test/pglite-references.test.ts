import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatcoreError, createDatabase, defineRepository, f } from '@chatcore/core';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { defineMigration, migrate } from '../src/index.js';

const client = await startInMemory(defaultTemplateCache());
const driver = () => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) });
const foreignKeys = async (table: string) =>
  (await client.query<{ conname: string }>(
    `select c.conname from pg_constraint c join pg_class t on t.oid = c.conrelid where c.contype = 'f' and t.relname = $1 order by 1`, [table],
  )).rows.map((r) => r.conname);

const topics = defineRepository('topics', { id: f.id(), name: f.string() });

test('m.addReference adds the FOREIGN KEY of an existing field; verify then passes and onDelete applies', async () => {
  const postsV1 = defineRepository('posts', { id: f.id(), topicId: f.string() });
  const postsV2 = defineRepository('posts', { id: f.id(), topicId: f.string().references('topics', { onDelete: 'cascade' }) });
  const v1 = createDatabase({ driver: driver(), repositories: { posts: postsV1, topics } });
  await v1.connect();
  const topic = await v1.topics.create({ name: 'a' });
  await v1.posts.create({ topicId: topic.id });
  await v1.close();

  const db = createDatabase({ driver: driver(), repositories: { posts: postsV2, topics }, schemaMode: 'verify' });
  const result = await migrate(db, { migrations: [defineMigration({ id: 'p001_ref', up: (m) => m.addReference('posts', 'topicId') })] });
  assert.equal(result.applied, ['p001_ref']);
  assert.ok(result.statements.some((s) => s.includes('posts_topic_id_fkey')), result.statements.join(', '));
  assert.equal(await foreignKeys('posts'), ['posts_topic_id_fkey']);
  await db.connect();
  await db.topics.delete(topic.id);
  assert.is(await db.posts.count({}), 0);
  await db.close();
});

test('m.addField of a new reference field adds its column and FOREIGN KEY', async () => {
  const notesV1 = defineRepository('notes', { id: f.id(), text: f.string() });
  const notesV2 = defineRepository('notes', { id: f.id(), text: f.string(), topicId: f.string().optional().references('topics', { onDelete: 'set null' }) });
  const v1 = createDatabase({ driver: driver(), repositories: { notes: notesV1, topics } });
  await v1.connect();
  await v1.notes.create({ text: 'kept' });
  await v1.close();
  const db = createDatabase({ driver: driver(), repositories: { notes: notesV2, topics }, schemaMode: 'verify' });
  await migrate(db, { migrations: [defineMigration({ id: 'n001_topic', up: (m) => m.addField('notes', 'topicId') })] });
  assert.equal(await foreignKeys('notes'), ['notes_topic_id_fkey']);
  await db.connect();
  assert.is((await db.notes.findOne({ where: { text: 'kept' } }))?.topicId, null);
  await db.close();
});

test('m.addReference over rows naming missing records fails with nothing changed', async () => {
  const linksV1 = defineRepository('links', { id: f.id(), topicId: f.string() });
  const linksV2 = defineRepository('links', { id: f.id(), topicId: f.string().references('topics') });
  const v1 = createDatabase({ driver: driver(), repositories: { links: linksV1, topics } });
  await v1.connect();
  await v1.links.create({ topicId: 'gone' });
  await v1.close();
  const db = createDatabase({ driver: driver(), repositories: { links: linksV2, topics }, schemaMode: 'verify' });
  const err = await migrate(db, { migrations: [defineMigration({ id: 'l001_ref', up: (m) => m.addReference('links', 'topicId') })] }).catch((e: unknown) => e);
  assert.instance(err, ChatcoreError);
  assert.match((err as Error).message, 'reference records that do not exist');
  assert.equal(await foreignKeys('links'), []);
  const notDeclared = await migrate(db, { migrations: [defineMigration({ id: 'l002_bad', up: (m) => m.addReference('topics', 'name') })] }).catch((e: unknown) => e);
  assert.instance(notDeclared, ChatcoreError);
  assert.match((notDeclared as Error).message, 'declares no enforced reference');
  await db.close();
});

test('renaming a reference field or its repository renames the FOREIGN KEY; verify passes, no second constraint', async () => {
  const commentsV1 = defineRepository('comments', { id: f.id(), topicRef: f.string().references('topics', { onDelete: 'cascade' }) });
  const commentsV2 = defineRepository('comments', { id: f.id(), topicId: f.string().references('topics', { onDelete: 'cascade' }) });
  const repliesV1 = defineRepository('replies', { id: f.id(), topicId: f.string().references('topics') });
  const answers = defineRepository('answers', { id: f.id(), topicId: f.string().references('topics') });
  const v1 = createDatabase({ driver: driver(), repositories: { comments: commentsV1, replies: repliesV1, topics } });
  await v1.connect();
  const topic = await v1.topics.create({ name: 'r' });
  await v1.comments.create({ topicRef: topic.id });
  await v1.close();
  assert.equal(await foreignKeys('comments'), ['comments_topic_ref_fkey']);
  assert.equal(await foreignKeys('replies'), ['replies_topic_id_fkey']);

  const db = createDatabase({ driver: driver(), repositories: { comments: commentsV2, answers, topics }, schemaMode: 'verify' });
  await migrate(db, { migrations: [defineMigration({ id: 'r001_renames', up: (m) => { m.renameField('comments', 'topicRef', 'topicId'); m.renameRepository('replies', 'answers'); } })] });
  assert.equal(await foreignKeys('comments'), ['comments_topic_id_fkey']);
  assert.equal(await foreignKeys('answers'), ['answers_topic_id_fkey']);
  await db.connect();
  assert.is(await db.topics.delete(topic.id), true);
  assert.is(await db.comments.count({}), 0, 'the renamed constraint still cascades');
  await db.close();
});

test.after(() => client.close());
test.run();
