import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, TimeoutError, UnsupportedQueryError } from '@chatcore/core';
import { isRequestTooLarge, memoryDriver, REQUEST_BYTES_LIMIT, type Driver, type DriverSession, type TransactionOptions } from '@chatcore/core/driver';
import type { Plugin, TransactionEvent } from '@chatcore/core/plugin';

// A write a plugin asks a transaction around (needsTransaction), on a driver
// that refuses that transaction whole for its request size (nothing written,
// REQUEST_BYTES_LIMIT): core runs the write again without the transaction.

const notes = defineRepository('notes', { id: f.id(), body: f.text(), version: f.version() });

/** The memory driver, whose transactions the backend refuses for their size when they end (as Firestore's commit). */
function refusingDriver(limit: string = REQUEST_BYTES_LIMIT, commitMs = 0): Driver {
  const d = memoryDriver();
  const transaction = d.transaction.bind(d);
  d.transaction = <T>(fn: (tx: DriverSession) => Promise<T>, options: TransactionOptions) => transaction(async (tx) => {
    await fn(tx);
    if (commitMs) await new Promise((r) => setTimeout(r, commitMs));
    throw new UnsupportedQueryError('The transaction is too large; nothing of it was written.', { info: { backend: 'memory', limit } });
  }, options);
  return d;
}

/** Asks for a transaction around updateMany; each run of it takes `ms`. */
function slowSplitter(ms: number, runs: Array<boolean | undefined>, rollbacks: TransactionEvent[] = [], ended: Array<boolean | undefined> = []): Plugin {
  return {
    name: 'splitter',
    needsTransaction: (op) => op.kind === 'update' && op.target.ids === undefined,
    async around(op, ctx, next) {
      if (op.kind !== 'update' || op.target.ids) return next(op);
      runs.push(ctx.transaction?.implicit);
      await new Promise((r) => setTimeout(r, ms));
      ended.push(ctx.transaction?.implicit);
      return next(op);
    },
    afterRollback(event) {
      rollbacks.push(event);
    },
  };
}

test('a refused transaction runs again without it: the refusal is REQUEST_BYTES_LIMIT, its afterRollback says rerun', async () => {
  const runs: Array<boolean | undefined> = [];
  const rollbacks: TransactionEvent[] = [];
  const db = createDatabase({ driver: refusingDriver(), repositories: { notes }, plugins: [slowSplitter(0, runs, rollbacks)] });
  await db.connect();
  try {
    await db.notes.createMany([{ body: 'a' }, { body: 'b' }]);
    assert.is(await db.notes.updateMany({}, { body: 'c' }), 2);
    assert.equal(runs, [true, undefined], 'in the implicit transaction, then without it');
    assert.is(rollbacks.length, 1);
    assert.is(rollbacks[0]!.rerun, true);
    assert.ok(isRequestTooLarge(rollbacks[0]!.error));
    assert.equal((await db.notes.find({})).map((n) => n.body), ['c', 'c']);
  } finally {
    await db.close();
  }
});

test('another UnsupportedQueryError is not a size refusal: the call fails, nothing runs again', async () => {
  const runs: Array<boolean | undefined> = [];
  const rollbacks: TransactionEvent[] = [];
  const db = createDatabase({ driver: refusingDriver('requestbytes'), repositories: { notes }, plugins: [slowSplitter(0, runs, rollbacks)] });
  await db.connect();
  try {
    await db.notes.createMany([{ body: 'a' }]);
    const error = await db.notes.updateMany({}, { body: 'c' }).then(() => undefined, (e: unknown) => e);
    assert.instance(error, UnsupportedQueryError);
    assert.not.ok(isRequestTooLarge(error));
    assert.equal(runs, [true]);
    assert.is(rollbacks[0]!.rerun, undefined);
  } finally {
    await db.close();
  }
});

test("the run without the transaction gets only what is left of the call's timeout", async () => {
  const runs: Array<boolean | undefined> = [];
  const ended: Array<boolean | undefined> = [];
  const db = createDatabase({ driver: refusingDriver(), repositories: { notes }, plugins: [slowSplitter(1500, runs, [], ended)] });
  await db.connect();
  try {
    await db.notes.createMany([{ body: 'a' }]);
    // 1.5 s in the refused transaction (1 s before the deadline: room for a busy machine), 1.5 s more without it: past 2.5 s.
    const t0 = performance.now();
    const error = await db.notes.updateMany({}, { body: 'c' }, { timeout: 2500 }).then(() => undefined, (e: unknown) => e);
    const elapsed = performance.now() - t0;
    const endedWhenReleased = [...ended];
    assert.instance(error, TimeoutError);
    assert.is((error as TimeoutError).info.timeoutMs, 2500);
    assert.match((error as TimeoutError).message, 'notes.updateMany did not finish within 2500 ms');
    // Released at the call's deadline, while the run without the transaction was still going (it ends at 3 s at the earliest).
    assert.ok(elapsed >= 2490, `released after ${Math.round(elapsed)} ms, not before the deadline`);
    assert.equal(endedWhenReleased, [true], `released at the deadline, not when the run without the transaction ended (${Math.round(elapsed)} ms)`);
    assert.equal(runs, [true, undefined]);
    // A timeout the two runs fit in is unchanged.
    assert.is(await db.notes.updateMany({}, { body: 'd' }, { timeout: 30_000 }), 1);
  } finally {
    await db.close();
  }
});

test("a transaction refused past the call's timeout fails with its TimeoutError, and is not run again", async () => {
  const runs: Array<boolean | undefined> = [];
  const rollbacks: TransactionEvent[] = [];
  // The refusal comes 300 ms after the write ran (a slow commit): nothing is left of 200 ms for a second run.
  const db = createDatabase({ driver: refusingDriver(REQUEST_BYTES_LIMIT, 300), repositories: { notes }, plugins: [slowSplitter(0, runs, rollbacks)] });
  await db.connect();
  try {
    await db.notes.createMany([{ body: 'a' }]);
    const error = await db.notes.updateMany({}, { body: 'c' }, { timeout: 200 }).then(() => undefined, (e: unknown) => e);
    assert.instance(error, TimeoutError);
    assert.is((error as TimeoutError).info.timeoutMs, 200);
    assert.equal(runs, [true], 'no second run');
    assert.is(rollbacks.length, 1);
    assert.is(rollbacks[0]!.rerun, undefined, 'the rollback is the outcome');
    assert.is(rollbacks[0]!.error, error, "afterRollback gets the call's error, not the refusal");
    assert.equal((await db.notes.find({})).map((n) => n.body), ['a']);
  } finally {
    await db.close();
  }
});

test('a rerun its afterRollback announced enters the onion even when the hooks used up the timeout: plugins see how it ends', async () => {
  const runs: Array<boolean | undefined> = [];
  const rollbacks: TransactionEvent[] = [];
  // Refused 1 s in (1 s before the deadline: room for a busy machine), rerun announced; a slow afterRollback (1.5 s) then uses up the rest of 2 s.
  const slowHook: Plugin = { name: 'slow-sink', afterRollback: () => new Promise((r) => setTimeout(r, 1500)) };
  const db = createDatabase({ driver: refusingDriver(REQUEST_BYTES_LIMIT, 1000), repositories: { notes }, plugins: [slowSplitter(0, runs, rollbacks), slowHook] });
  await db.connect();
  try {
    await db.notes.createMany([{ body: 'a' }]);
    const outcome = await db.notes.updateMany({}, { body: 'c' }, { timeout: 2000 }).then((n) => n, (e: unknown) => e);
    assert.equal(rollbacks.map((r) => r.rerun), [true], 'the rerun was announced');
    assert.is(runs.length, 2, 'the announced run reached the plugins');
    assert.not.ok(runs[1], 'without the transaction');
    if (outcome instanceof Error) assert.instance(outcome, TimeoutError);
    else assert.is(outcome, 1);
  } finally {
    await db.close();
  }
});

test.run();
