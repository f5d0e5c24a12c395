import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plugin } from '@chatcore/core/plugin';
import { CapturedSink, openDb } from './helpers/fixtures.js';

/** Below the audit plugin: an update reaches the backend, then its call fails (while `armed`). */
function failsAfterWrite(state: { armed: boolean }): Plugin {
  return { name: 'fails-after-write', async around(op, _ctx, next) { const r = await next(op); if (state.armed && op.kind === 'update') throw new Error('failed after the write'); return r; } };
}

for (const outcome of ['commit', 'rollback'] as const) {
  test(`a write whose call failed in a transaction that ends in a ${outcome} is recorded as failed only, never as a write`, async () => {
    const sink = new CapturedSink();
    const state = { armed: false };
    const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } }, recordRollbacks: true }, { plugins: [failsAfterWrite(state)] });
    const u = await db.users.create({ name: 'a', email: 'a@x.io' } as never) as { id: string };
    await db.transaction(async (tx) => {
      state.armed = true;
      await tx.users.update(u.id, { name: 'b' } as never).catch(() => undefined);
      state.armed = false;
      if (outcome === 'rollback') throw new Error('roll back');
    }).catch(() => undefined);
    await db.close();
    const updates = sink.events().filter((e) => e.method === 'update');
    assert.is(updates.length, 1, 'one event for the failed call');
    assert.ok(updates[0]!.error ?? updates[0]!.outcome === 'error', `it is the failure: ${JSON.stringify(updates[0])}`);
    const rollbacks = sink.events().filter((e) => e.type === 'rollback');
    assert.is(rollbacks.length, 0, 'a rollback with no successful write is not recorded');
  });
}

test.run();
