import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, createDatabase, defineRepository, f, type Plugin } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption } from '../src/index.js';
import { KEY_A } from './helpers/keys.js';

// A write without expectedVersion retries a lost compare-and-swap until it
// lands. How long the attempts take must not matter: on a loaded machine a
// burst of writers of one record drains as slowly as the backend answers,
// and a time budget would turn the last writers into ConflictErrors. The
// clock is made to run fast here (every storage operation below the plugin
// "takes" 5 s), so the burst lasts minutes by performance.now(), in well
// under a second of real time.

const BURST = 20;
const STEP_MS = 5_000;

function counters() {
  return defineRepository(`slow_counters_${randomBytes(4).toString('hex')}`, {
    id: f.id(), email: f.string().sensitive(), n: f.integer().default(0), version: f.version(),
  });
}

/** Runs `body` while performance.now() advances STEP_MS per storage operation below the plugin (`tick`). */
async function withSlowClock<T>(body: (tick: () => void) => Promise<T>): Promise<T> {
  const real = performance.now.bind(performance);
  let offset = 0;
  performance.now = () => real() + offset;
  try {
    return await body(() => void (offset += STEP_MS));
  } finally {
    performance.now = real;
  }
}

for (const mode of ['row authentication', 'sealed record'] as const) {
  test(`${mode}: ${BURST} concurrent increments all land however long each attempt takes`, async () => {
    await withSlowClock(async (tick) => {
      // Each read and write below the plugin is slow (a real delay widens the race window, the clock says seconds).
      const slow: Plugin = { name: 'slow-backend', async around(op, _ctx, next) { tick(); await sleep(1); return next(op); } };
      const plugin = mode === 'row authentication'
        ? encryption({ keys: [{ id: 'k1', key: KEY_A }] })
        : encryption({ keys: [{ id: 'k1', key: KEY_A }], rowAuthentication: 'off' });
      const docs = mode === 'row authentication'
        ? counters()
        : defineRepository(`slow_sealed_${randomBytes(4).toString('hex')}`, { id: f.id(), owner: f.string(), n: f.integer().default(0), version: f.version() }, { plugins: { encryption: { seal: true, clear: ['owner'] } } });
      const db = createDatabase({ driver: memoryDriver(), repositories: { docs }, plugins: [plugin, slow] });
      await db.connect();
      try {
        const a = await db.docs.create(mode === 'row authentication' ? { email: 'a@example.com' } as never : { owner: 'o' } as never);
        const started = performance.now();
        const results = await Promise.allSettled(Array.from({ length: BURST }, () => db.docs.update(a.id, { n: { increment: 1 } } as never)));
        const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
        assert.ok(performance.now() - started > 120_000, 'the burst took minutes by the clock');
        assert.equal(errors, [], 'no increment gave up');
        const after = (await db.docs.get(a.id)) as unknown as { n: number; version: number };
        assert.is(after.n, BURST);
        assert.is(after.version, BURST + 1);
      } finally {
        await db.close();
      }
    });
  });
}

test('a guard that never matches still ends in ConflictError after 8 attempts, with nothing written', async () => {
  let guardedWrites = 0;
  // A backend that answers every guarded write with no row, though nobody changed the record.
  const stuck: Plugin = {
    name: 'stuck-guard',
    async around(op, _ctx, next) {
      if (op.kind === 'update' && op.target.where) { guardedWrites++; return { rows: [] }; }
      return next(op);
    },
  };
  const docs = counters();
  const db = createDatabase({ driver: memoryDriver(), repositories: { docs }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] }), stuck] });
  await db.connect();
  try {
    const a = await db.docs.create({ email: 'a@example.com' } as never);
    const error = await db.docs.update(a.id, { n: { increment: 1 } } as never).then(() => undefined, (e: unknown) => e);
    assert.instance(error, ConflictError);
    assert.is(guardedWrites, 8);
    const after = (await db.docs.get(a.id)) as unknown as { n: number; version: number };
    assert.equal([after.n, after.version], [0, 1]);
  } finally {
    await db.close();
  }
});

test.run();
