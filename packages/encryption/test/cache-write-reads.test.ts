import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { cache } from '@chatcore/cache';
import { encryption } from '../src/index.js';
import { KEY_A } from './helpers/keys.js';

// An update of an encrypted record reads the stored row first (read, check,
// write guarded by what was read; again after a lost race). That read is
// part of the write call: the cache below neither answers it nor counts it
// as a read of the caller's.
const notes = defineRepository('notes', { id: f.id(), tag: f.string(), secret: f.text().optional().sensitive(), version: f.version() }, { table: `enc_cwr_${randomBytes(3).toString('hex')}` });
const c = cache({ namespace: `cwr${randomBytes(4).toString('hex')}`, repositories: { notes: true } });
const db = createDatabase({ driver: pglite(), repositories: { notes }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] }), c] });
await db.connect();

test.after(() => db.close());

const tier = () => c.stats().repositories.notes?.local;

test('updates through encryption leave the cache counters alone; reads of the caller still count', async () => {
  const n = await db.notes.create({ tag: 'a', secret: 's1' });
  await db.notes.update(n.id, { secret: 's2' });
  await db.notes.updateMany({ tag: 'a' }, { secret: 's3' });
  await db.notes.upsert({ id: n.id, tag: 'a', secret: 's4' });
  assert.equal([tier()?.misses ?? 0, tier()?.hits ?? 0, tier()?.fills ?? 0, tier()?.bypasses ?? 0], [0, 0, 0, 0], 'no read counted for the writes');
  assert.is((await db.notes.get(n.id))?.secret, 's4');
  assert.is((await db.notes.get(n.id))?.secret, 's4');
  assert.equal([tier()!.misses, tier()!.hits], [1, 1]);
});

test.run();
