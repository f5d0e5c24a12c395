import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { ConflictError, defineRepository, f } from '@chatcore/core';
import { BACKENDS, useBackends, type BackendName } from './helpers/backends.js';

// Writes without expectedVersion on a protected repository go through a
// compare-and-swap loop; a lost race must retry until it lands, as the same
// calls without the plugin (atomic increments) never fail. With
// expectedVersion, a real conflict still raises ConflictError.

const backends = await useBackends();
const BURST = 20;

function counters(encrypted: boolean) {
  const suffix = randomBytes(4).toString('hex');
  return defineRepository(`cw_counters_${suffix}`, {
    id: f.id(),
    email: encrypted ? f.string().unique().sensitive({ searchable: true }) : f.string().unique(),
    n: f.integer().default(0),
    version: f.version(),
  });
}

function settle(results: PromiseSettledResult<unknown>[]): { ok: number; errors: string[] } {
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).constructor.name);
  return { ok: results.length - errors.length, errors };
}

/** The same bursts on a repository with or without the plugin: results and error classes must not differ. */
async function bursts(name: BackendName, encrypted: boolean) {
  const repo = counters(encrypted);
  const db = await backends.open(name, { docs: repo }, { encrypted });
  const a = await db.docs.create({ email: 'a@example.com' });
  const inc = settle(await Promise.allSettled(Array.from({ length: BURST }, () => db.docs.update(a.id, { n: { increment: 1 } }))));
  const afterInc = (await db.docs.get(a.id))!;
  const ups = settle(await Promise.allSettled(Array.from({ length: BURST }, () => db.docs.upsert({ email: 'b@example.com' }, { conflict: ['email'], update: { n: { increment: 1 } } }))));
  const upserted = await db.docs.find({ where: { email: 'b@example.com' } });
  const v = afterInc.version;
  const pinned = settle(await Promise.allSettled(Array.from({ length: 10 }, () => db.docs.update(a.id, { n: { increment: 1 } }, { expectedVersion: v }))));
  const afterPinned = (await db.docs.get(a.id))!;
  return {
    inc, n: afterInc.n, version: afterInc.version,
    ups, upserted: upserted.map((r) => r.n),
    pinned: { ok: pinned.ok, errors: [...new Set(pinned.errors)] }, pinnedN: afterPinned.n,
  };
}

for (const name of BACKENDS) {
  test(`${name}: ${BURST} concurrent increments and upserts without expectedVersion all land, with the plugin as without`, async () => {
    const plain = await bursts(name, false);
    const enc = await bursts(name, true);
    for (const [label, r] of [['plain', plain], ['encrypted', enc]] as const) {
      assert.equal(r.inc.errors, [], `${label}: increments failed`);
      assert.is(r.n, BURST, `${label}: every increment counted once`);
      assert.is(r.version, BURST + 1, `${label}: version`);
      assert.equal(r.ups.errors, [], `${label}: upserts failed`);
      // One upsert inserted the record (n = 0), every other one incremented it.
      assert.equal(r.upserted, [BURST - 1], `${label}: one record, every update counted once`);
      // Pinned to the version all of them read: exactly one wins, the others conflict.
      assert.equal(r.pinned, { ok: 1, errors: [ConflictError.name] }, `${label}: expectedVersion`);
      assert.is(r.pinnedN, BURST + 1, `${label}: only the winner of the pinned burst counted`);
    }
  });
}

for (const name of ['memory', 'pglite', 'postgres'] as const) {
  test(`${name}: ${BURST} concurrent increments of a sealed field without row authentication all land`, async () => {
    const suffix = randomBytes(4).toString('hex');
    const notes = defineRepository(`cw_sealed_${suffix}`, {
      id: f.id(), owner: f.string(), n: f.integer().default(0), version: f.version(),
    }, { plugins: { encryption: { seal: true, clear: ['owner'] } } });
    const db = await backends.open(name, { notes }, { encrypted: true, plugin: { rowAuthentication: 'off' } });
    const r = await db.notes.create({ owner: 'o' });
    const res = settle(await Promise.allSettled(Array.from({ length: BURST }, () => db.notes.update(r.id, { n: { increment: 1 } }))));
    assert.equal(res.errors, []);
    assert.is((await db.notes.get(r.id))!.n, BURST);
  });
}

test.after(() => backends.close());
test.run();
