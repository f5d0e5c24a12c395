import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith } from './harness.js';
import { ChatcoreError } from '../errors.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';

/**
 * Repositories for what a delete decides before it writes: boards <-
 * comments (cascade) and cards (cascade) <- stickers (restrict); pins
 * reference boards (restrict) and cards (cascade); nodes reference nodes
 * (restrict). Listed children first, so the harness's clean-up deletes
 * them before their parents.
 *
 * @example
 * ```ts
 * const repos = deleteRepositories(h);
 * ```
 */
export function deleteRepositories(h: Harness) {
  const boards = defineRepository('boards', { id: f.id(), tag: f.string().indexed() }, { table: h.table('rd_boards') });
  // comments come before cards: their cascade runs first, before the restrict under cards is met.
  const comments = defineRepository('comments', { id: f.id(), boardId: f.string().references('boards', { onDelete: 'cascade' }) }, { table: h.table('rd_comments') });
  const cards = defineRepository('cards', { id: f.id(), boardId: f.string().references('boards', { onDelete: 'cascade' }) }, { table: h.table('rd_cards') });
  const stickers = defineRepository('stickers', { id: f.id(), cardId: f.string().references('cards') }, { table: h.table('rd_stickers') });
  const pins = defineRepository('pins', {
    id: f.id(),
    boardId: f.string().references('boards'),
    cardId: f.string().references('cards', { onDelete: 'cascade' }),
  }, { table: h.table('rd_pins') });
  const nodes = defineRepository('nodes', { id: f.id(), parentId: f.string().optional().references('nodes') }, { table: h.table('rd_nodes') });
  return { pins, stickers, comments, cards, boards, nodes };
}

/**
 * What SQL foreign keys decide about a delete, held on every backend:
 * `restrict` refuses only when a referencing record survives the whole
 * delete (records its cascades remove, or that it removes itself, do not
 * count), a refused delete writes nothing even when the error is caught
 * inside a transaction, a record may reference itself, and a refused
 * cascade does not use up the transaction's `maxReferenceWrites`.
 *
 * @example
 * ```ts
 * registerReferentialDeleteTests(harness);
 * ```
 */
export function registerReferentialDeleteTests(h: Harness): void {
  const caps = h.capabilities;
  h.group('referential integrity: deletes', deleteRepositories(h), (test) => {
    test('restrict counts referencing records the same delete removes by cascade as gone', async ({ db }) => {
      const board = await db.boards.create({ tag: h.runId });
      const card = await db.cards.create({ boardId: board.id });
      const pin = await db.pins.create({ boardId: board.id, cardId: card.id });
      assert.is(await db.boards.delete(board.id), true);
      assert.is(await db.cards.get(card.id), null);
      assert.is(await db.pins.get(pin.id), null);
      // A pin whose card stays keeps its board.
      const [kept, other] = await db.boards.createMany([{ tag: h.runId }, { tag: h.runId }]);
      const elsewhere = await db.cards.create({ boardId: other!.id });
      const held = await db.pins.create({ boardId: kept!.id, cardId: elsewhere.id });
      const err = await rejectsWith(() => db.boards.delete(kept!.id), 'FOREIGN_KEY', 'pin on a kept card');
      assert.equal([err.info.reason, err.info.repository, err.info.field], ['restricted', 'pins', 'boardId']);
      assert.ok(await db.pins.get(held.id));
    });

    test('restrict between records deleted together does not refuse (self references)', async ({ db }) => {
      const a = await db.nodes.create({});
      const b = await db.nodes.create({ parentId: a.id });
      await rejectsWith(() => db.nodes.delete(a.id), 'FOREIGN_KEY', 'parent of a kept node');
      assert.is(await db.nodes.deleteMany({ id: { in: [a.id, b.id] } }), 2);
      const loop = await db.nodes.create({});
      await db.nodes.update(loop.id, { parentId: loop.id });
      assert.is(await db.nodes.delete(loop.id), true);
      assert.is(await db.nodes.count({ id: { in: [a.id, b.id, loop.id] } }), 0);
    });

    test('upsert of a new record referencing itself creates it', async ({ db }) => {
      const id = `self-${h.runId}`;
      const created = await db.nodes.upsert({ id, parentId: id });
      assert.is(created.parentId, id);
      assert.is((await db.nodes.upsert({ id, parentId: id })).id, id);
      await rejectsWith(() => db.nodes.upsert({ id: `other-${h.runId}`, parentId: `none-${h.runId}` }), 'FOREIGN_KEY', 'upsert naming a missing node');
      assert.is(await db.nodes.delete(id), true);
    });

    if (!caps.transactions) return;

    test('a restricted delete caught inside a transaction writes nothing of its cascades', async ({ db }) => {
      const board = await db.boards.create({ tag: 'before' });
      const comment = await db.comments.create({ boardId: board.id });
      const card = await db.cards.create({ boardId: board.id });
      const sticker = await db.stickers.create({ cardId: card.id });
      let committed = false;
      try {
        await db.transaction(async (tx) => {
          const err = await rejectsWith(() => tx.boards.delete(board.id), 'FOREIGN_KEY', 'restricted two levels down');
          assert.equal([err.info.reason, err.info.repository], ['restricted', 'stickers']);
          // SQL aborts the transaction here (TransactionError); elsewhere it goes on.
          await tx.boards.update(board.id, { tag: 'after' });
        });
        committed = true;
      } catch (error) {
        if (!(error instanceof ChatcoreError) || error.code !== 'TRANSACTION') throw error;
      }
      assert.is((await db.boards.get(board.id))?.tag, committed ? 'after' : 'before');
      assert.ok(await db.comments.get(comment.id), 'the sibling cascade wrote nothing');
      assert.ok(await db.cards.get(card.id));
      assert.ok(await db.stickers.get(sticker.id));
    });

    const bound = caps.maxReferenceWrites;
    if (bound === undefined) return;

    test('a cascade refused past maxReferenceWrites does not count towards the transaction', async ({ db }) => {
      const [big, small] = await db.boards.createMany([{ tag: h.runId }, { tag: h.runId }]);
      const batch = Math.min(caps.maxAtomicBatch ?? 100, 100);
      for (let i = 0; i <= bound; i += batch) {
        await db.comments.createMany(Array.from({ length: Math.min(batch, bound + 1 - i) }, () => ({ boardId: big!.id })));
      }
      await db.comments.create({ boardId: small!.id });
      const outcome = await db.transaction(async (tx) => {
        const err = await rejectsWith(() => tx.boards.delete(big!.id), 'UNSUPPORTED_QUERY', 'past the bound');
        assert.is(err.info.capability, 'maxReferenceWrites');
        return tx.boards.delete(small!.id);
      });
      assert.is(outcome, true);
      assert.is(await db.comments.count({ boardId: small!.id }), 0);
      assert.is(await db.comments.count({ boardId: big!.id }), bound + 1);
      const ids = (await db.comments.find({ where: { boardId: big!.id }, select: ['id'] })).map((c) => c.id);
      const step = caps.maxInList ?? 100;
      for (let i = 0; i < ids.length; i += step) await db.comments.deleteMany({ id: { in: ids.slice(i, i + step) } });
      assert.is(await db.boards.delete(big!.id), true);
    });
  });
}
