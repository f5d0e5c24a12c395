import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, IntegrityError, type Driver, type SecurityEvent } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { defineMigration, migrate } from '../../src/index.js';
import { KEY, salt } from './tickets.js';

// Renaming a protected field of a repository with row authenticators
// ('required'): the rename step re-encrypts each value under the new name
// and writes the row's new authenticator in the same write.

/** Before: `email` (encrypted, searchable) and `phone` (encrypted) under row authenticators. */
export const peopleV1 = defineRepository('people', {
  id: f.id(),
  name: f.string(),
  email: f.string().unique().sensitive({ searchable: true }),
  phone: f.string().optional().sensitive(),
  version: f.version(),
});

/** After: `email` renamed to `contact`. */
export const peopleV2 = defineRepository('people', {
  id: f.id(),
  name: f.string(),
  contact: f.string().unique().sensitive({ searchable: true }),
  phone: f.string().optional().sensitive(),
  version: f.version(),
});

const renameEmail = (batchSize: number) => defineMigration({ id: '010_people_contact', up: (m) => m.renameField('people', 'email', 'contact', { batchSize }) });
const plugins = (onSecurityEvent?: (e: SecurityEvent) => void) => [encryption({ keys: [{ id: 'k1', key: KEY }], rowAuthentication: 'required', onSecurityEvent })];
const isIntegrity = (e: unknown): boolean => e instanceof IntegrityError || (e instanceof Error && e.cause !== undefined && isIntegrity(e.cause));

async function rejects(run: () => Promise<unknown>, expected: (e: unknown) => boolean, what: string): Promise<void> {
  const outcome = await run().then((value) => ({ value }), (error: unknown) => ({ error }));
  assert.ok('error' in outcome && expected(outcome.error), `${what}: expected a rejection, got ${'error' in outcome ? String(outcome.error) : 'a result'}`);
}

type StoredAccess = { rows(db: { schemas: ReadonlyMap<string, unknown>; driver: Driver }): Promise<Array<Record<string, unknown>>>; write(db: { schemas: ReadonlyMap<string, unknown>; driver: Driver }, id: string, set: Record<string, unknown>): Promise<void> };

/** Storage rows read and written with the driver, below every plugin (what someone with database access sees and does). */
const stored: StoredAccess = {
  rows: async (db) => db.driver.query(db.schemas.get('people') as never, { orderBy: [{ field: 'id', direction: 'asc' }] }, {}),
  write: async (db, id, set) => void (await db.driver.update(db.schemas.get('people') as never, { ids: [id] }, { set, increment: {} }, {})),
};

/**
 * Seed `rows` people (one updated so its version moved on), rename email to
 * contact, and check: every row reads back, blind-index lookups on the new
 * name find their row, writes go on, and tampering still fails closed
 * (another row's ciphertext, an older ciphertext of the same field).
 * `driver()` must give drivers on the same storage each time.
 */
export async function renameUnderRowAuth(driver: () => Driver, rows: number, batchSize: number): Promise<void> {
  const s = salt();
  const email = (i: number) => `p${i}-${s}@example.com`;
  const db1 = createDatabase({ driver: driver(), repositories: { people: peopleV1 }, plugins: plugins() });
  await db1.connect();
  const created = await db1.people.createMany(Array.from({ length: rows }, (_, i) => ({ name: `person ${i}`, email: email(i), phone: i % 4 === 0 ? null : `+1-555-${i}` })));
  const ids = created.map((c) => c.id);
  await db1.people.update(ids[1]!, { email: email(1) });

  const db2 = createDatabase({ driver: driver(), repositories: { people: peopleV2 }, plugins: plugins(), schemaMode: 'off' });
  const result = await migrate(db2, { migrations: [renameEmail(batchSize)] });
  assert.equal(result.applied, ['010_people_contact']);
  for (const [i, id] of ids.entries()) {
    const got = await db2.people.get(id);
    assert.equal({ ...got, version: undefined }, { id, name: `person ${i}`, contact: email(i), phone: i % 4 === 0 ? null : `+1-555-${i}`, version: undefined }, `row ${i}`);
  }
  for (const i of [0, 1, rows - 1]) assert.is((await db2.people.findOne({ where: { contact: email(i) } }))?.id, ids[i], `lookup ${i}`);
  const raw = await stored.rows(db2);
  assert.equal(Object.keys(raw[0]!).sort(), ['contact', 'contactBidx', 'id', 'name', 'phone', 'rowAuth', 'version']);
  assert.ok(raw.every((r) => typeof r.rowAuth === 'string' && typeof r.contact === 'string' && typeof r.contactBidx === 'string'));
  assert.not.ok(JSON.stringify(raw).includes(s), 'no plaintext email in storage');

  // Writes go on after the rename, and tampering still fails closed.
  const before = raw.find((r) => r.id === ids[0])!;
  await db2.people.update(ids[0]!, { contact: `new-${email(0)}` });
  assert.is((await db2.people.get(ids[0]!))?.contact, `new-${email(0)}`);
  await stored.write(db2, ids[0]!, { contact: before.contact });
  await rejects(() => db2.people.get(ids[0]!), isIntegrity, 'an older ciphertext of the renamed field is refused');
  const other = raw.find((r) => r.id === ids[2])!;
  await stored.write(db2, ids[3]!, { contact: other.contact });
  await rejects(() => db2.people.get(ids[3]!), isIntegrity, "another row's ciphertext is refused");
  await rejects(() => db2.people.findOne({ where: { contact: email(3) } }), isIntegrity, "a lookup of the row carrying another row's ciphertext is refused");
  await db2.close();
  await db1.close();
}

/** The integrity_failure events of `events`, as [repository, ids]. */
const failures = (events: readonly SecurityEvent[]) => events.filter((e) => e.type === 'integrity_failure').map((e) => [e.repository, e.ids]);

/**
 * A row whose ciphertext was replaced by an older one before the migration:
 * the rename refuses to re-authenticate it (IntegrityError), and the row is
 * left as it was. Then another row's ciphertext in its place: the rename
 * cannot open it. Each failure is reported once as an integrity_failure
 * security event naming the row.
 */
export async function renameRefusesTamperedRow(driver: () => Driver): Promise<void> {
  const s = salt();
  const db1 = createDatabase({ driver: driver(), repositories: { people: peopleV1 }, plugins: plugins() });
  await db1.connect();
  const a = await db1.people.create({ name: 'a', email: `a-${s}@example.com`, phone: null });
  const b = await db1.people.create({ name: 'b', email: `b-${s}@example.com`, phone: null });
  const old = (await stored.rows(db1)).find((r) => r.id === a.id)!;
  await db1.people.update(a.id, { email: `a2-${s}@example.com` });
  const current = (await stored.rows(db1)).find((r) => r.id === a.id)!;
  await stored.write(db1, a.id, { email: old.email, emailBidx: old.emailBidx });
  const tampered = (await stored.rows(db1)).find((r) => r.id === a.id)!;

  const events: SecurityEvent[] = [];
  const db2 = createDatabase({ driver: driver(), repositories: { people: peopleV2 }, plugins: plugins((e) => events.push(e)), schemaMode: 'off' });
  const err = await migrate(db2, { migrations: [renameEmail(10)] }).catch((e: unknown) => e);
  assert.ok(isIntegrity(err), `expected IntegrityError, got ${String(err)}`);
  assert.match(String((err as Error).message) + String((err as Error).cause ?? ''), /does not match its row authenticator/);
  const after = (await stored.rows(db1)).find((r) => r.id === a.id)!;
  // The expand phase may have added the new columns (empty); nothing the row held changed and nothing was written under the new name.
  assert.equal(Object.fromEntries(Object.keys(tampered).map((k) => [k, after[k]])), tampered, 'the tampered row was not rewritten');
  assert.is(after.contact ?? null, null);
  assert.equal(failures(events), [['people', [a.id]]], 'reported once');

  // Another row's ciphertext under the old name: the rename's read of it fails, and is reported like any read.
  await stored.write(db1, a.id, { email: (await stored.rows(db1)).find((r) => r.id === b.id)!.email, emailBidx: current.emailBidx, rowAuth: current.rowAuth });
  const again: SecurityEvent[] = [];
  const db3 = createDatabase({ driver: driver(), repositories: { people: peopleV2 }, plugins: plugins((e) => again.push(e)), schemaMode: 'off' });
  const err3 = await migrate(db3, { migrations: [renameEmail(10)] }).catch((e: unknown) => e);
  assert.ok(isIntegrity(err3), `expected IntegrityError, got ${String(err3)}`);
  assert.equal(failures(again), [['people', [a.id]]], 'the foreign ciphertext is reported once');
  assert.is((await stored.rows(db1)).find((r) => r.id === a.id)!.contact ?? null, null, 'nothing written under the new name');
  // Closed last: the memory test gives every database the same driver.
  await db3.close();
  await db2.close();
  await db1.close();
}
