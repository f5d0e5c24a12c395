import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith } from './harness.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';

class Planned extends Error {}

/**
 * Repositories linked by `.references()`: owners <- folders (restrict),
 * threads <- posts (cascade) <- replies (cascade), threads <- notes (set null).
 * Listed children first, so the harness's clean-up deletes them before
 * their parents.
 *
 * @example
 * ```ts
 * const repos = referenceRepositories(h);
 * ```
 */
export function referenceRepositories(h: Harness) {
  const owners = defineRepository('owners', { id: f.id(), name: f.string() }, { table: h.table('ri_owners') });
  const folders = defineRepository('folders', { id: f.id(), ownerId: f.string().references('owners'), name: f.string() }, { table: h.table('ri_folders') });
  const threads = defineRepository('threads', { id: f.id(), tag: f.string().indexed() }, { table: h.table('ri_threads') });
  const posts = defineRepository('posts', {
    id: f.id(),
    threadId: f.string().references('threads', { onDelete: 'cascade' }),
    tag: f.string().indexed(),
  }, { table: h.table('ri_posts') });
  const replies = defineRepository('replies', {
    id: f.id(),
    postId: f.string().references('posts', { onDelete: 'cascade' }),
    tag: f.string().indexed(),
  }, { table: h.table('ri_replies') });
  const notes = defineRepository('notes', {
    id: f.id(),
    threadId: f.string().optional().references('threads', { onDelete: 'set null' }),
    tag: f.string().indexed(),
    version: f.version(),
  }, { table: h.table('ri_notes') });
  return { replies, posts, notes, folders, threads, owners };
}

/**
 * Referential integrity (`.references()`): a write naming a missing record
 * is refused, and deleting a referenced record applies onDelete restrict,
 * cascade (over several levels) or set null, by id and by filter, in and out
 * of transactions, and nothing of it survives a rollback.
 *
 * @example
 * ```ts
 * registerReferentialIntegrityTests(harness);
 * ```
 */
export function registerReferentialIntegrityTests(h: Harness): void {
  const caps = h.capabilities;
  h.group('referential integrity', referenceRepositories(h), (test) => {
    test('create with a missing referenced record raises ForeignKeyError and writes nothing', async ({ db }) => {
      const tag = `miss-${h.runId}`;
      const err = await rejectsWith(() => db.posts.create({ threadId: 'no-such-thread', tag }), 'FOREIGN_KEY', 'missing thread');
      assert.equal([err.info.reason, err.info.repository, err.info.field, err.info.target], ['missing-target', 'posts', 'threadId', 'threads']);
      const thread = await db.threads.create({ tag });
      await rejectsWith(() => db.posts.createMany([{ threadId: thread.id, tag }, { threadId: 'no-such-thread', tag }]), 'FOREIGN_KEY', 'batch with one missing');
      assert.is(await db.posts.count({ tag }), 0);
      const ok = await db.posts.create({ threadId: thread.id, tag });
      assert.is(ok.threadId, thread.id);
    });

    test('update to a missing referenced record raises ForeignKeyError and leaves the record unchanged', async ({ db }) => {
      const tag = `upd-${h.runId}`;
      const thread = await db.threads.create({ tag });
      const note = await db.notes.create({ threadId: thread.id, tag });
      const err = await rejectsWith(() => db.notes.update(note.id, { threadId: 'no-such-thread' }), 'FOREIGN_KEY', 'update');
      assert.is(err.info.field, 'threadId');
      await rejectsWith(() => db.notes.updateMany({ tag }, { threadId: 'no-such-thread' }), 'FOREIGN_KEY', 'updateMany');
      const after = await db.notes.get(note.id);
      assert.is(after?.threadId, thread.id);
      assert.is(after?.version, 1);
      assert.is((await db.notes.update(note.id, { threadId: null })).threadId, null);
    });

    test('only the references a write stores are checked, as SQL foreign keys do', async ({ db }) => {
      const tag = `stored-${h.runId}`;
      const thread = await db.threads.create({ tag });
      const missing = 'no-such-thread';
      const id = `ins-${h.runId}`;
      // Upsert that inserts: its update patch is never applied.
      const created = await db.notes.upsert({ id, threadId: thread.id, tag }, { update: { threadId: missing } });
      assert.equal([created.threadId, created.version], [thread.id, 1]);
      // Upsert that updates: its row is never inserted.
      const updated = await db.notes.upsert({ id, threadId: missing, tag }, { update: { tag: `${tag}-2` } });
      assert.equal([updated.threadId, updated.tag, updated.version], [thread.id, `${tag}-2`, 2]);
      // Each branch still checks what it writes.
      await rejectsWith(() => db.notes.upsert({ id, threadId: thread.id, tag }, { update: { threadId: missing } }), 'FOREIGN_KEY', 'upsert updating to a missing record');
      await rejectsWith(() => db.notes.upsert({ id: `ins2-${h.runId}`, threadId: missing, tag }, { update: { tag } }), 'FOREIGN_KEY', 'upsert inserting a missing record');
      // Nothing matched, nothing written: no reference to check.
      assert.is(await db.notes.updateMany({ tag: `${tag}-none` }, { threadId: missing }), 0);
      await rejectsWith(() => db.notes.update(`gone-${h.runId}`, { threadId: missing }), 'NOT_FOUND', 'update of a missing id');
      await rejectsWith(() => db.notes.update(id, { threadId: missing }, { expectedVersion: 1 }), 'CONFLICT', 'update of a stale version');
      const after = await db.notes.get(id);
      assert.equal([after?.threadId, after?.version], [thread.id, 2]);
      assert.is(await db.notes.count({ tag }), 0);
    });

    test("onDelete 'restrict': deleting a referenced record raises ForeignKeyError and deletes nothing", async ({ db }) => {
      const owner = await db.owners.create({ name: `r-${h.runId}` });
      const folder = await db.folders.create({ ownerId: owner.id, name: 'inbox' });
      const err = await rejectsWith(() => db.owners.delete(owner.id), 'FOREIGN_KEY', 'restricted delete');
      assert.equal([err.info.reason, err.info.repository, err.info.field, err.info.target], ['restricted', 'folders', 'ownerId', 'owners']);
      await rejectsWith(() => db.owners.deleteMany({ name: `r-${h.runId}` }), 'FOREIGN_KEY', 'restricted deleteMany');
      assert.ok(await db.owners.get(owner.id));
      assert.ok(await db.folders.get(folder.id));
      await db.folders.delete(folder.id);
      assert.is(await db.owners.delete(owner.id), true);
    });

    test("onDelete 'cascade' deletes the referencing records, over two levels, and only those", async ({ db }) => {
      const tag = `casc-${h.runId}`;
      const [doomed, kept] = await db.threads.createMany([{ tag }, { tag }]);
      const posts = await db.posts.createMany([{ threadId: doomed!.id, tag }, { threadId: doomed!.id, tag }, { threadId: kept!.id, tag }]);
      await db.replies.createMany([{ postId: posts[0]!.id, tag }, { postId: posts[1]!.id, tag }, { postId: posts[2]!.id, tag }]);
      assert.is(await db.threads.delete(doomed!.id), true);
      assert.is(await db.posts.count({ tag }), 1);
      assert.is(await db.replies.count({ tag }), 1);
      assert.is((await db.posts.findOne({ where: { tag } }))?.threadId, kept!.id);
    });

    test("onDelete 'set null' clears the reference and keeps the referencing records", async ({ db }) => {
      const tag = `null-${h.runId}`;
      const [gone, stays] = await db.threads.createMany([{ tag }, { tag }]);
      const [a, b] = await db.notes.createMany([{ threadId: gone!.id, tag }, { threadId: stays!.id, tag }]);
      await db.threads.delete(gone!.id);
      const after = await db.notes.getMany([a!.id, b!.id]);
      assert.equal(after.map((n) => n.threadId), [null, stays!.id]);
      assert.is(after[0]!.version, 2, 'a cleared reference is an update (version bumped)');
    });

    test('deleteMany by filter applies onDelete to the children of every matched parent', async ({ db }) => {
      const tag = `many-${h.runId}`;
      const other = `many-other-${h.runId}`;
      const doomed = await db.threads.createMany(Array.from({ length: 12 }, () => ({ tag })));
      const survivor = await db.threads.create({ tag: other });
      const posts = await db.posts.createMany([...doomed.map((t) => ({ threadId: t.id, tag })), { threadId: survivor.id, tag }]);
      await db.replies.createMany(posts.map((p) => ({ postId: p.id, tag })));
      await db.notes.createMany(doomed.map((t) => ({ threadId: t.id, tag })));
      assert.is(await db.threads.deleteMany({ tag }), 12);
      assert.is(await db.posts.count({ tag }), 1);
      assert.is(await db.replies.count({ tag }), 1);
      assert.is(await db.notes.count({ tag, threadId: { isNull: true } }), 12);
    });

    if (!caps.transactions) return;

    test('inside a transaction, a cascade is visible to later reads and commits with it', async ({ db }) => {
      const tag = `txc-${h.runId}`;
      const thread = await db.threads.create({ tag });
      const post = await db.posts.create({ threadId: thread.id, tag });
      await db.replies.create({ postId: post.id, tag });
      const seen = await db.transaction(async (tx) => {
        await tx.threads.delete(thread.id);
        return tx.posts.count({ tag });
      });
      assert.is(seen, 0);
      assert.is(await db.posts.count({ tag }), 0);
      assert.is(await db.replies.count({ tag }), 0);
    });

    test('a rolled-back transaction undoes cascades and cleared references', async ({ db }) => {
      const tag = `txr-${h.runId}`;
      const thread = await db.threads.create({ tag });
      const post = await db.posts.create({ threadId: thread.id, tag });
      await db.replies.create({ postId: post.id, tag });
      const note = await db.notes.create({ threadId: thread.id, tag });
      try {
        await db.transaction(async (tx) => {
          await tx.threads.delete(thread.id);
          throw new Planned('roll back');
        });
        assert.unreachable('the transaction should have thrown');
      } catch (error) {
        assert.instance(error, Planned);
      }
      assert.ok(await db.threads.get(thread.id));
      assert.is(await db.posts.count({ tag }), 1);
      assert.is(await db.replies.count({ tag }), 1);
      assert.is((await db.notes.get(note.id))?.threadId, thread.id);
    });

    test('a ForeignKeyError inside a transaction rolls back its earlier writes', async ({ db }) => {
      const name = `txf-${h.runId}`;
      const owner = await db.owners.create({ name });
      const thread = await db.threads.create({ tag: name });
      await db.posts.create({ threadId: thread.id, tag: name });
      await rejectsWith(() => db.transaction(async (tx) => {
        await tx.threads.delete(thread.id);
        await tx.folders.create({ ownerId: owner.id, name: 'x' });
        await tx.owners.delete(owner.id);
      }), 'FOREIGN_KEY', 'restricted delete in a transaction');
      assert.ok(await db.threads.get(thread.id));
      assert.is(await db.posts.count({ tag: name }), 1);
      assert.is(await db.folders.count({ ownerId: owner.id }), 0);
      await rejectsWith(() => db.transaction(async (tx) => {
        await tx.threads.create({ tag: name });
        await tx.posts.create({ threadId: 'no-such-thread', tag: name });
      }), 'FOREIGN_KEY', 'missing target in a transaction');
      assert.is(await db.threads.count({ tag: name }), 1);
    });
  });
}
