import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortedError, createDatabase, defineRepository, f, TimeoutError } from '@chatcore/core';
import { pglite } from '../src/index.js';

// PGlite answers a statement without letting the event loop turn: a
// transaction running statement after statement must still meet its
// caller's timeout (or signal), stop, and roll back.

const items = defineRepository('tx_deadline_items', { id: f.id(), n: f.integer() });
const db = createDatabase({ driver: pglite({}), repositories: { items } });
await db.connect();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A transaction updating one record for `runMs` (thousands of statements), with the given call options. */
async function longTransaction(options: { timeout?: number; signal?: AbortSignal }, runMs: number) {
  const rec = await db.items.create({ n: 0 });
  const progress = { statements: 0, ended: false };
  const start = performance.now();
  const outcome = await db.transaction(async (tx) => {
    try {
      while (performance.now() - start < runMs) {
        await tx.items.update(rec.id, { n: progress.statements + 1 });
        progress.statements++;
      }
    } finally {
      progress.ended = true;
    }
  }, options).then(() => ({ error: undefined as unknown }), (error: unknown) => ({ error }));
  const settledAfter = performance.now() - start;
  const statementsAtSettle = progress.statements;
  // The function stops at its next statement, which is refused (a statement under way may still finish).
  for (const until = performance.now() + 3000; !progress.ended && performance.now() < until; ) await sleep(20);
  return { rec, progress, settledAfter, statementsAtSettle, ...outcome };
}

test('a transaction running thousands of statements past its timeout raises TimeoutError at the deadline, stops and rolls back', async () => {
  const r = await longTransaction({ timeout: 300 }, 6000);
  assert.instance(r.error, TimeoutError);
  assert.ok(r.settledAfter < 3000, `settled ${Math.round(r.settledAfter)} ms after the start of a 6000 ms run with a 300 ms timeout`);
  assert.ok(r.progress.ended, 'the transaction function stopped: its next statement was refused');
  assert.ok(r.progress.statements <= r.statementsAtSettle + 1, `no statement ran after the caller got its error (${r.statementsAtSettle} then ${r.progress.statements})`);
  assert.is((await db.items.get(r.rec.id))!.n, 0, 'rolled back');
  // The connection is free and works.
  await db.transaction(async (tx) => { await tx.items.update(r.rec.id, { n: 7 }); }, { timeout: 5000 });
  assert.is((await db.items.get(r.rec.id))!.n, 7);
});

test('a transaction running thousands of statements stops and rolls back when its signal fires', async () => {
  const r = await longTransaction({ signal: AbortSignal.timeout(300) }, 6000);
  assert.instance(r.error, AbortedError);
  assert.ok(r.settledAfter < 3000, `settled ${Math.round(r.settledAfter)} ms after the start of a 6000 ms run with a 300 ms signal`);
  assert.ok(r.progress.ended, 'the transaction function stopped');
  assert.is((await db.items.get(r.rec.id))!.n, 0, 'rolled back');
});

test.after(() => db.close());
test.run();
