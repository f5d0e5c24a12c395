import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { ChatcoreError, defineRepository, f } from '@chatcore/core';
import { BACKENDS, useBackends, type BackendName } from './helpers/backends.js';

// An upsert keyed on a field other than the id: a protected repository looks
// the record up, then updates or inserts. Its result and error class must be
// those of the same call on a repository without the plugin.

const backends = await useBackends();

async function outcome(run: () => Promise<{ id: string; label?: string }>): Promise<string> {
  try {
    const r = await run();
    return `ok ${r.id}${r.label === undefined ? '' : `/${r.label}`}`;
  } catch (e) {
    return e instanceof ChatcoreError ? e.constructor.name : `untyped ${String(e)}`;
  }
}

/** A composite unique key with a null part claims nothing: the upsert inserts, whatever other record has a null part too. */
async function nullKeyUpserts(name: BackendName, encrypted: boolean) {
  const owners = defineRepository(`uk_owners_${randomBytes(4).toString('hex')}`, {
    id: f.id(), handle: f.string().unique(), team: f.string().optional(), slot: f.integer().optional(), label: f.string().default('none'),
    email: encrypted ? f.string().optional().sensitive() : f.string().optional(), version: f.version(),
  }, { unique: [['team', 'slot']] });
  const db = await backends.open(name, { owners }, { encrypted });
  await db.owners.create({ id: 'o2', handle: 'h2', slot: 2 });
  await db.owners.create({ id: 'o4', handle: 'h4', team: 't1' });
  const fresh = await outcome(() => db.owners.upsert({ id: 'o5', handle: 'h5', slot: 2 }, { conflict: ['team', 'slot'], update: { label: 'updated' } }));
  const takenId = await outcome(() => db.owners.upsert({ id: 'o4', handle: 'h3', slot: 2 }, { conflict: ['team', 'slot'], update: { label: 'updated' } }));
  const rows = (await db.owners.find({ orderBy: { id: 'asc' } })).map((r) => `${r.id}:${r.handle}:${r.team}:${r.slot}:${r.label}`);
  return { fresh, takenId, rows };
}

for (const name of BACKENDS) {
  test(`${name}: an upsert whose key has a null part inserts, with the plugin as without`, async () => {
    const plain = await nullKeyUpserts(name, false);
    assert.equal(plain, {
      fresh: 'ok o5/none',
      takenId: 'UniqueViolationError',
      rows: ['o2:h2:null:2:none', 'o4:h4:t1:null:none', 'o5:h5:null:2:none'],
    });
    assert.equal(await nullKeyUpserts(name, true), plain);
  });
}

test.after(() => backends.close());
test.run();
