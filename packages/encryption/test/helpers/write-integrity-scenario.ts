import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { createDatabase, defineRepository, f, IntegrityError } from '@chatcore/core';
import type { Driver } from '@chatcore/core/driver';
import type { RepositorySchema } from '@chatcore/core/plugin';
import { audit, type AuditPlugin } from '@chatcore/audit';
import { encryption, type EncryptionPlugin } from '../../src/index.js';
import type { RawAccess } from './index-attack-scenario.js';
import { KEY_B, randomKey } from './keys.js';

/** Repositories of the runs: field mode and record mode (a sealed counter), both with row authenticators. */
export function writeIntegrityRepos(suffix: string) {
  const people = defineRepository(`wi_people_${suffix}`, {
    id: f.id(),
    name: f.string(),
    email: f.string().unique().sensitive({ searchable: true }),
    ssn: f.string().optional().sensitive(),
    visits: f.integer().default(0),
    version: f.version(),
  });
  const letters = defineRepository(`wi_letters_${suffix}`, {
    id: f.id(),
    owner: f.string(),
    body: f.text(),
    stars: f.integer().default(0),
    version: f.version(),
  }, { plugins: { encryption: { seal: true, clear: ['owner'] } } });
  return { people, letters };
}

/** Where the audit plugin writes: its outbox tables (SQL backends), or a console stream read back here. */
export type AuditSinkChoice = 'outbox' | 'console';

/**
 * A write that reads and checks the record it rewrites (update, updateMany,
 * upsert, a sealed increment, re-encryption; also counting keys) meets a
 * record tampered below chatcore (raw SQL, a raw document write): it fails
 * with IntegrityError, leaves the stored record as it was, and is reported
 * exactly like a read: one `integrity_failure` event naming the repository
 * and the record in the audit trail, counted in `stats().integrityFailures`.
 * A write whose own look-up already reported (an upsert by a searchable
 * field) reports once.
 */
export async function writeIntegrityScenario(driver: Driver, suffix: string, raw: RawAccess, sinks: AuditSinkChoice): Promise<void> {
  const { people, letters } = writeIntegrityRepos(suffix);
  const stream = new PassThrough();
  let logged = '';
  stream.on('data', (d: Buffer) => { logged += d.toString('utf8'); });
  const outbox = { table: `audit_events_${suffix}`, linkTable: `audit_links_${suffix}`, headTable: `audit_chain_${suffix}`, checkpointTable: `audit_checkpoints_${suffix}` };
  const db = createDatabase({
    driver,
    repositories: { people, letters },
    plugins: [audit({ sinks: sinks === 'outbox' ? { outbox } : { console: { stream } } }), encryption({ keys: [{ id: 'k1', key: randomKey() }] })],
  });
  await db.connect();
  const enc = db.plugin<EncryptionPlugin>('encryption')!;
  const auditor = db.plugin<AuditPlugin>('audit')!;
  const sp = db.schemas.get(people.schema.name)!;
  const sl = db.schemas.get(letters.schema.name)!;

  /** Every integrity_failure event of the trail so far, as [repository, ids]. */
  const failures = async (): Promise<unknown[][]> => {
    await auditor.flush();
    const events: Record<string, unknown>[] = [];
    if (sinks === 'outbox') for await (const e of auditor.outboxReader()) events.push(e as unknown as Record<string, unknown>);
    else events.push(...logged.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>));
    return events.filter((e) => e.type === 'security' && e.event === 'integrity_failure').map((e) => [e.repository, e.ids]);
  };
  const snapshot = async (schema: RepositorySchema, id: string) => {
    const out: Record<string, unknown> = {};
    for (const field of Object.keys(schema.fields)) out[field] = await raw.read(schema, id, field);
    return out;
  };
  /** `write` on the tampered record `id` is refused, changes nothing stored (of `id` and `others`), and is reported once. */
  const refused = async (what: string, schema: RepositorySchema, id: string, write: () => Promise<unknown>, others: readonly string[] = []) => {
    const before = await Promise.all([id, ...others].map((r) => snapshot(schema, r)));
    assert.ok(before[0]!.rowAuth && before[0]!.version, `${what}: the raw snapshot holds the stored record`);
    const seen = (await failures()).length;
    const counted = enc.stats().repositories[schema.name]!.integrityFailures;
    let error: unknown;
    try {
      await write();
    } catch (e) {
      error = e;
    }
    assert.instance(error, IntegrityError, `${what}: IntegrityError`);
    assert.equal(await Promise.all([id, ...others].map((r) => snapshot(schema, r))), before, `${what}: nothing written`);
    assert.equal((await failures()).slice(seen), [[schema.name, [id]]], `${what}: one integrity_failure event naming the record`);
    assert.is(enc.stats().repositories[schema.name]!.integrityFailures, counted + 1, `${what}: counted in stats`);
  };

  try {
    const ada = await db.people.create({ name: 'many', email: 'ada@example.com', ssn: 'ada-ssn' });
    const bob = await db.people.create({ name: 'many', email: 'bob@example.com', ssn: 'bob-ssn' });
    const original = await snapshot(sp, bob.id);

    // Field mode: Ada's ciphertext copied into Bob's row.
    await raw.write(sp, bob.id, { ssn: await raw.read(sp, ada.id, 'ssn') });
    await refused('update', sp, bob.id, () => db.people.update(bob.id, { name: 'bob' }));
    await refused('updateMany', sp, bob.id, () => db.people.updateMany({ name: 'many' }, { visits: { increment: 1 } }), [ada.id]);
    await refused('upsert by id', sp, bob.id, () => db.people.upsert({ id: bob.id, name: 'bob', email: 'bob@example.com' }, { update: { name: 'bob' } }));
    // Its look-up through the blind index decrypts the record and reports it; the write after it is never reached.
    await refused('upsert by a searchable field', sp, bob.id, () => db.people.upsert({ name: 'bob', email: 'bob@example.com' }, { conflict: ['email'], update: { name: 'bob' } }));
    // Ada's authenticator in Bob's row: only the row check sees it.
    await raw.write(sp, bob.id, { ssn: original.ssn, rowAuth: await raw.read(sp, ada.id, 'rowAuth') });
    await refused('updateMany of a row whose authenticator was replaced', sp, bob.id, () => db.people.updateMany({ name: 'many' }, { visits: { increment: 1 } }), [ada.id]);
    await raw.write(sp, bob.id, { rowAuth: original.rowAuth });
    assert.is((await db.people.update(bob.id, { visits: { increment: 1 } })).visits, 1, 'the restored record updates');

    // Record mode: one letter's envelope copied into another, then a sealed increment.
    const first = await db.letters.create({ owner: 'ada', body: 'first', stars: 1 });
    const second = await db.letters.create({ owner: 'bob', body: 'second', stars: 2 });
    const sealed = await raw.read(sl, second.id, 'sealed');
    await raw.write(sl, second.id, { sealed: await raw.read(sl, first.id, 'sealed') });
    await refused('sealed increment', sl, second.id, () => db.letters.update(second.id, { stars: { increment: 1 } }));
    await refused('update of a sealed field', sl, second.id, () => db.letters.update(second.id, { body: 'rewritten' }));

    // Re-encryption refuses to re-authenticate the record, and reports it.
    await enc.addKey({ id: 'k2', key: KEY_B }, { activate: true });
    await refused('reencrypt', sl, second.id, () => enc.reencrypt({ repository: letters.schema.name }));
    await raw.write(sl, second.id, { sealed });
    assert.is((await db.letters.update(second.id, { stars: { increment: 1 } })).stars, 3, 'the restored record updates');
    assert.ok((await enc.reencrypt({ repository: letters.schema.name })).done);
    // Counting values per key meets a value that is no ciphertext at all.
    const resealed = await raw.read(sl, second.id, 'sealed');
    await raw.write(sl, second.id, { sealed: 'AAAA' });
    await refused('keyUsage', sl, second.id, () => enc.keyUsage());
    await raw.write(sl, second.id, { sealed: resealed });
    assert.equal((await enc.keyUsage()).byRepository[letters.schema.name], { k2: 2 });
  } finally {
    await db.close();
  }
}
