import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, KeyError } from '@chatcore/core';
import { type Driver } from '@chatcore/core/driver';
import { encryption, type EncryptionPlugin, type ReencryptProgress } from '../../src/index.js';
import { KEY_A, KEY_B } from './keys.js';

/** A repository for rotation runs; `suffix` keeps tables apart on a shared server. */
export function walletsRepo(suffix: string) {
  return defineRepository(`wallets_${suffix}`, {
    id: f.id(),
    owner: f.string().sensitive({ searchable: true }),
    note: f.text().sensitive(),
    counter: f.integer().default(0),
    version: f.version(),
  });
}

/**
 * The rotation acceptance run: `rows` records under key A; key B becomes
 * active; the re-encryption job runs (first 2 batches, then resumed from the
 * checkpoint) while a concurrent writer increments per-row counters and
 * sometimes rewrites the encrypted note; then every value is under B, every
 * counter equals its acknowledged increments, and A can be retired (refused
 * before).
 */
export async function rotationScenario(driver: Driver, suffix: string, rows = 10_000): Promise<string> {
  const wallets = walletsRepo(suffix);
  const enc: EncryptionPlugin = encryption({ keys: [{ id: 'kA', key: KEY_A }] });
  const db = createDatabase({ driver, repositories: { wallets }, plugins: [enc] });
  await db.connect();
  try {
    const name = wallets.schema.name;
    const ids: string[] = [];
    for (let i = 0; i < rows; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, rows - i) }, (_, j) => ({ owner: `owner-${i + j}`, note: `note-${i + j}` }));
      ids.push(...(await db.wallets.createMany(batch)).map((r) => r.id));
    }
    assert.equal((await enc.keyUsage({ repository: name })).byKey, { kA: rows * 2 });

    await enc.addKey({ id: 'kB', key: KEY_B }, { activate: true });
    const fresh = await db.wallets.create({ owner: 'after-rotation', note: 'new' });
    assert.is((await enc.keyUsage({ repository: name })).byKey.kB, 2, 'new writes use the new key immediately');
    try {
      await enc.retireKey('kA');
      assert.unreachable('retiring a key in use must be refused');
    } catch (e) {
      assert.instance(e, KeyError);
      assert.match((e as Error).message, /kA still protects/);
    }

    const acked = new Map<string, number>();
    const notes = new Map<string, string>();
    let stop = false;
    let writes = 0;
    const writer = (async () => {
      let n = 0;
      while (!stop) {
        const id = ids[(n * 7919) % ids.length]!;
        n++;
        if (n % 10 === 0) {
          const note = `rewritten-${n}`;
          await db.wallets.update(id, { note, counter: { increment: 1 } });
          notes.set(id, note);
        } else {
          await db.wallets.update(id, { counter: { increment: 1 } });
        }
        acked.set(id, (acked.get(id) ?? 0) + 1);
        writes++;
      }
    })();

    const progress: ReencryptProgress[] = [];
    const first = await enc.reencrypt({ repository: name, batchSize: 500, maxBatches: 2, onProgress: (p) => progress.push(p) });
    assert.not.ok(first.done);
    assert.is(first.scanned, Math.min(1000, rows));
    assert.ok(first.checkpoint);
    const rest = await enc.reencrypt({ repository: name, batchSize: 500, checkpoint: first.checkpoint, onProgress: (p) => progress.push(p) });
    assert.ok(rest.done);
    assert.is(first.scanned + rest.scanned, rows + 1);
    stop = true;
    await writer;
    assert.ok(writes > 0, 'the writer ran during the job');
    assert.ok(progress.length >= 3);

    const usage = await enc.keyUsage({ repository: name });
    assert.equal(usage.byKey, { kB: (rows + 1) * 2 }, `all values under kB (skipped: ${rest.skipped})`);
    const all = await db.wallets.getMany(ids);
    for (const w of all) {
      assert.is(w.counter, acked.get(w.id) ?? 0, `counter of ${w.id}`);
      assert.is(w.note, notes.get(w.id) ?? `note-${ids.indexOf(w.id)}`);
    }
    await enc.retireKey('kA');
    assert.equal(enc.keyIds(), ['kB']);
    assert.is((await db.wallets.findOne({ where: { owner: 'owner-17' } }))!.note, notes.get(ids[17]!) ?? 'note-17');
    assert.is((await db.wallets.get(fresh.id))!.owner, 'after-rotation');
    return wallets.schema.table;
  } finally {
    await db.close();
  }
}
