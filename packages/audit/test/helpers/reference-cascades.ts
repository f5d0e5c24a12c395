import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f, ForeignKeyError } from '@chatcore/core';
import { audit } from '@chatcore/audit';
import { CapturedSink, driverFor, type Backend } from './fixtures.js';

/**
 * onDelete cascades and cleared references in the audit trail: on every
 * backend core runs them through the child repository's plugins (on SQL
 * before the database's own ON DELETE, which then finds nothing), so each
 * shows as a deleteMany / updateMany of that repository with the parent
 * delete's trace id, and a rolled-back one is absent from the committed trail.
 */
export function registerCascadeAudit(backend: Backend, options: { afterClose?: () => Promise<void> | void } = {}): void {
  const tag = randomBytes(3).toString('hex');
  const sink = new CapturedSink();
  const chats = defineRepository('chats', { id: f.id(), title: f.string() }, { table: `ri_chats_${tag}` });
  const lines = defineRepository('lines', { id: f.id(), chatId: f.string().references('chats', { onDelete: 'cascade' }) }, { table: `ri_lines_${tag}` });
  const pins = defineRepository('pins', { id: f.id(), chatId: f.string().optional().references('chats', { onDelete: 'set null' }) }, { table: `ri_pins_${tag}` });
  const locks = defineRepository('locks', { id: f.id(), chatId: f.string().references('chats') }, { table: `ri_locks_${tag}` });
  const plugin = audit({ sinks: { console: { stream: sink.stream } } });
  const db = createDatabase({ driver: driverFor(backend), repositories: { lines, pins, chats, locks }, plugins: [plugin] });

  test.before(() => db.connect());
  test.after(async () => {
    await db.close();
    await options.afterClose?.();
  });

  test(`${backend}: a cascaded delete and a cleared reference are audited with the parent's trace id`, async () => {
    const chat = await db.chats.create({ title: 'a' });
    const kids = await db.lines.createMany([{ chatId: chat.id }, { chatId: chat.id }]);
    const pin = await db.pins.create({ chatId: chat.id });
    await plugin.flush();
    sink.clear();
    await db.chats.delete(chat.id, { traceId: `t-${tag}`, actor: 'ada' });
    await plugin.flush();
    const ops = sink.operations().map((e) => [e.repository, e.method, e.outcome, [...(e.ids as string[])].sort(), e.traceId, e.actor]);
    assert.equal(ops, [
      ['lines', 'deleteMany', 'ok', kids.map((k) => k.id).sort(), `t-${tag}`, 'ada'],
      ['pins', 'updateMany', 'ok', [pin.id], `t-${tag}`, 'ada'],
      ['chats', 'delete', 'ok', [chat.id], `t-${tag}`, 'ada'],
    ]);
    assert.is(await db.lines.count({ chatId: chat.id }), 0);
    assert.is((await db.pins.get(pin.id))?.chatId, null);
  });

  test(`${backend}: a cascade rolled back with its transaction is not in the committed trail`, async () => {
    const chat = await db.chats.create({ title: 'b' });
    await db.lines.create({ chatId: chat.id });
    await plugin.flush();
    sink.clear();
    try {
      await db.transaction(async (tx) => {
        await tx.chats.delete(chat.id);
        throw new Error('roll back');
      });
    } catch { /* expected */ }
    await plugin.flush();
    assert.equal(sink.operations(), []);
    assert.is(await db.lines.count({ chatId: chat.id }), 1);
  });

  test(`${backend}: a delete refused by restrict is one error event, whatever cascades ran before the refusal`, async () => {
    const chat = await db.chats.create({ title: 'c' });
    const line = await db.lines.create({ chatId: chat.id });
    const pin = await db.pins.create({ chatId: chat.id });
    await db.locks.create({ chatId: chat.id });
    await plugin.flush();
    sink.clear();
    const error = await db.chats.delete(chat.id, { traceId: `r-${tag}` }).catch((e: unknown) => e);
    assert.instance(error, ForeignKeyError);
    await plugin.flush();
    // On SQL the cascade and the cleared reference ran (and rolled back) before the database refused the delete.
    const ops = sink.operations().map((e) => [e.repository, e.method, e.outcome, (e.error as { code?: string } | undefined)?.code, e.ids, e.traceId]);
    assert.equal(ops, [['chats', 'delete', 'error', 'FOREIGN_KEY', [chat.id], `r-${tag}`]]);
    assert.is((await db.lines.get(line.id))?.chatId, chat.id, 'nothing was deleted');
    assert.is((await db.pins.get(pin.id))?.chatId, chat.id, 'nothing was cleared');
  });

  test.run();
}
