import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { ChatcoreError, defineRepository, f, UniqueViolationError } from '@chatcore/core';
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
    if (!(e instanceof ChatcoreError)) return `untyped ${String(e)}`;
    return e instanceof UniqueViolationError ? `${e.constructor.name} ${String(e.info.fields)}` : e.constructor.name;
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
      takenId: 'UniqueViolationError id',
      rows: ['o2:h2:null:2:none', 'o4:h4:t1:null:none', 'o5:h5:null:2:none'],
    });
    assert.equal(await nullKeyUpserts(name, true), plain);
  });
}

/** Upserts keyed on `email` whose insert collides on the id or on another unique field, not on the key. */
async function collidingUpserts(name: BackendName, encrypted: boolean) {
  const notes = defineRepository(`uk_notes_${randomBytes(4).toString('hex')}`, {
    id: f.id(), tag: f.string(), handle: f.string().optional().unique(),
    email: encrypted ? f.string().optional().unique().sensitive({ searchable: true }) : f.string().optional().unique(), version: f.version(),
  });
  const db = await backends.open(name, { notes }, { encrypted });
  await db.notes.createMany([{ id: 'a', tag: 't', handle: 'ha', email: 'ea' }, { id: 'b', tag: 't', handle: 'hb', email: 'eb' }]);
  const byEmail = { conflict: ['email'] as const, update: { tag: 'v' } };
  return {
    handleClash: await outcome(() => db.notes.upsert({ id: 'c', tag: 't', email: 'new', handle: 'ha' }, byEmail)),
    idClash: await outcome(() => db.notes.upsert({ id: 'a', tag: 't', email: 'new' }, byEmail)),
    // Inside a SQL transaction the failed insert aborts it: the collision is still what the call reports.
    idClashInTransaction: await outcome(() => db.transaction((tx) => tx.notes.upsert({ id: 'a', tag: 't', email: 'new' }, byEmail))),
    hit: await outcome(() => db.notes.upsert({ id: 'c', tag: 't', email: 'eb' }, byEmail)),
    rows: (await db.notes.find({ orderBy: { id: 'asc' } })).map((r) => `${r.id}:${r.tag}:${r.handle}:${r.email}:v${r.version}`),
  };
}

for (const name of BACKENDS) {
  test(`${name}: an upsert whose insert collides on the id or another unique field raises UniqueViolationError, with the plugin as without`, async () => {
    const plain = await collidingUpserts(name, false);
    assert.equal(plain, {
      handleClash: 'UniqueViolationError handle',
      idClash: 'UniqueViolationError id',
      idClashInTransaction: 'UniqueViolationError id',
      hit: 'ok b',
      rows: ['a:t:ha:ea:v1', 'b:v:hb:eb:v2'],
    });
    assert.equal(await collidingUpserts(name, true), plain);
  });
}

test.after(() => backends.close());
test.run();
