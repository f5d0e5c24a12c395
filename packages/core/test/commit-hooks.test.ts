import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import type { Plugin } from '@chatcore/core/plugin';

const items = defineRepository('items', { id: f.id(), name: f.string() });

/** Run `fn` while collecting the CHATCORE_PLUGIN_HOOK warnings it emits. */
async function warningsOf(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error & { code?: string }) => {
    if (w.code === 'CHATCORE_PLUGIN_HOOK') seen.push(w.message);
  };
  process.on('warning', listener);
  try {
    await fn();
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('afterCommit hooks run in plugin order, async ones awaited before the call returns, in and out of transactions', async () => {
  const log: string[] = [];
  const slow: Plugin = { name: 'slow', afterCommit: async (e) => { await sleep(5); log.push(`slow:${e.operations[0]!.ctx.method}`); } };
  const quick = (name: string): Plugin => ({ name, afterCommit: (e) => { log.push(`${name}:${e.operations[0]!.ctx.method}`); } });
  const db = createDatabase({ driver: memoryDriver(), repositories: { items }, plugins: [quick('first'), slow, quick('last')] });
  await db.connect();
  const row = await db.items.create({ name: 'a' });
  assert.equal(log, ['first:create', 'slow:create', 'last:create'], 'autocommit write: every hook done, in order, when create() resolved');
  log.length = 0;
  await db.items.get(row.id);
  assert.equal(log, ['first:get', 'slow:get', 'last:get'], 'autocommit read');
  log.length = 0;
  await db.transaction(async (tx) => { await tx.items.update(row.id, { name: 'b' }); });
  assert.equal(log, ['first:update', 'slow:update', 'last:update'], 'explicit transaction');
  await db.close();
});

test('a throwing or rejecting afterCommit hook is a warning: the call succeeds, later hooks still run, the data stays', async () => {
  const log: string[] = [];
  const throws: Plugin = { name: 'throws', afterCommit: () => { throw new Error('sync boom'); } };
  const rejects: Plugin = { name: 'rejects', afterCommit: async () => { await sleep(1); throw new Error('async boom'); } };
  const after: Plugin = { name: 'after', afterCommit: () => { log.push('after'); } };
  const db = createDatabase({ driver: memoryDriver(), repositories: { items }, plugins: [throws, rejects, after] });
  await db.connect();
  let id = '';
  const warnings = await warningsOf(async () => { id = (await db.items.create({ name: 'kept' })).id; });
  assert.equal(log, ['after']);
  assert.is(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0]!, /plugin throws failed in afterCommit .*sync boom/);
  assert.match(warnings[1]!, /plugin rejects failed in afterCommit .*async boom/);
  assert.is((await db.items.get(id))?.name, 'kept');
  await db.close();
});

test.run();
