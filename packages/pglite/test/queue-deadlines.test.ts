import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortedError, createDatabase, defineRepository, f, TimeoutError } from '@chatcore/core';
import { pglite } from '../src/index.js';

const users = defineRepository('users', { id: f.id(), name: f.string() });
const driver = pglite({});
const db = createDatabase({ driver, repositories: { users } });
await db.connect();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const outcome = (call: Promise<unknown>, since: number) =>
  call.then(() => ({ error: undefined as unknown, at: performance.now() - since }), (error: unknown) => ({ error, at: performance.now() - since }));

test('a call queued behind a long burst of statements fails at its deadline, not once the burst is over', async () => {
  // A transaction holds the connection while the burst queues up behind it.
  let holding!: () => void;
  let letGo!: () => void;
  const held = new Promise<void>((r) => { holding = r; });
  const hold = db.transaction(async (tx) => {
    await tx.users.count();
    holding();
    await new Promise<void>((r) => { letGo = r; });
  });
  await held;
  // Each statement of the burst is short; together they keep the connection busy for several seconds.
  const STATEMENTS = 500;
  const burst = Array.from({ length: STATEMENTS }, () => driver.executor.execute({ sql: 'select pg_sleep(0.006)', parameters: [] }));
  while ((driver.executor.stats?.().waiting ?? 0) < STATEMENTS) await sleep(10);
  const start = performance.now();
  const timedOut = outcome(db.users.create({ name: 'late' }, { timeout: 200 }), start);
  const aborted = outcome(db.users.create({ name: 'late' }, { signal: AbortSignal.timeout(200) }), start);
  letGo();
  await hold;
  const [first, second] = [await timedOut, await aborted];
  await Promise.all(burst);
  const burstEnded = performance.now() - start;

  assert.ok(burstEnded >= 3000, `the burst lasts several seconds (${Math.round(burstEnded)} ms)`);
  assert.ok(first.at < 1500, `the call with a 200 ms timeout settled after ${Math.round(first.at)} ms of a ${Math.round(burstEnded)} ms burst`);
  assert.ok(second.at < 1500, `the call with a 200 ms signal settled after ${Math.round(second.at)} ms of a ${Math.round(burstEnded)} ms burst`);
  assert.instance(first.error, TimeoutError);
  assert.instance(second.error, AbortedError);
  assert.is(await db.users.count({ name: 'late' }), 0, 'nothing was written after its caller gave up');
});

test.after(() => db.close());
test.run();
