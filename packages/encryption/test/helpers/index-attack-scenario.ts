import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, IntegrityError, ValidationError, type SecurityEvent } from '@chatcore/core';
import { type Driver } from '@chatcore/core/driver';
import { type RepositorySchema } from '@chatcore/core/plugin';
import { encryption, type EncryptionPlugin } from '../../src/index.js';
import { randomKey } from './keys.js';

/** Reads one stored field of a record, and writes one, below every plugin (raw SQL, a raw document write). */
export interface RawAccess {
  read(schema: RepositorySchema, id: string, field: string): Promise<unknown>;
  write(schema: RepositorySchema, id: string, set: Record<string, unknown>): Promise<void>;
}

/** Repositories of the attack: a login-style lookup (not unique, so a copied index is accepted by the database), a unique one, and a sealed one. */
export function attackRepos(suffix: string) {
  const logins = defineRepository(`logins_${suffix}`, {
    id: f.id(),
    name: f.string(),
    email: f.string().sensitive({ searchable: true, normalize: { caseFold: true, trim: true } }),
    version: f.version(),
  });
  const accounts = defineRepository(`accounts_${suffix}`, {
    id: f.id(),
    name: f.string(),
    email: f.string().unique().sensitive({ searchable: true }),
    version: f.version(),
  });
  const notes = defineRepository(`notes_${suffix}`, {
    id: f.id(),
    owner: f.string().sensitive({ searchable: true }),
    body: f.text(),
    version: f.version(),
  }, { plugins: { encryption: { seal: true } } });
  return { logins, accounts, notes };
}

/**
 * The blind-index substitution attack: someone who can write rows copies
 * Alice's blind index into Mallory's row (or swaps the two where the index
 * is unique). Every blind-index read (find, findOne, findPage, iterate,
 * count, exists, `in`, `or`, projections) must return Alice's record or
 * nothing, never Mallory's (nor hide Alice's behind Mallory's when a lookup
 * is limited to one row), and report each dropped row as a security event;
 * an upsert by a swapped unique index is refused with nothing written.
 */
export async function indexAttackScenario(driver: Driver, suffix: string, raw: RawAccess): Promise<void> {
  const { logins, accounts, notes } = attackRepos(suffix);
  const events: SecurityEvent[] = [];
  const enc = encryption({ rootKey: randomKey() });
  const db = createDatabase({ driver, repositories: { logins, accounts, notes }, plugins: [{ name: 'recorder', onSecurityEvent: (e: SecurityEvent) => void events.push(e) }, enc] });
  await db.connect();
  const storage = (n: string) => db.schemas.get(n)!;
  try {
    const alice = await db.logins.create({ name: 'alice', email: 'alice@example.com' });
    const mallory = await db.logins.create({ name: 'mallory', email: 'mallory@example.com' });
    const other = await db.logins.create({ name: 'other', email: 'other@example.com' });
    const s = storage(logins.schema.name);
    await raw.write(s, mallory.id, { emailBidx: await raw.read(s, alice.id, 'emailBidx') });

    const lookup = ' Alice@Example.com'; // normalized like the stored value
    const found = await db.logins.findOne({ where: { email: lookup } });
    assert.ok(found === null || found.id === alice.id, 'findOne never returns Mallory');
    assert.is(found?.email, 'alice@example.com');
    assert.equal((await db.logins.find({ where: { email: lookup } })).map((r) => r.name), ['alice']);
    assert.equal((await db.logins.find({ where: { email: { in: [lookup, 'other@example.com'] } } })).map((r) => r.name).sort(), ['alice', 'other']);
    assert.equal((await db.logins.find({ where: { or: [{ email: lookup }, { name: 'nobody' }] } })).map((r) => r.name), ['alice']);
    const projected = await db.logins.find({ where: { email: lookup }, select: ['name'] });
    assert.equal(projected, [{ id: alice.id, name: 'alice' }]);
    const page = await db.logins.findPage({ where: { email: lookup }, limit: 5 });
    assert.equal(page.items.map((r) => r.id), [alice.id]);
    const iterated: string[] = [];
    for await (const r of db.logins.iterate({ where: { email: lookup } }, { pageSize: 1 })) iterated.push(r.id);
    assert.ok(!iterated.includes(mallory.id), 'iterate never yields Mallory');
    assert.is(await db.logins.count({ email: lookup }), 1);
    assert.is(await db.logins.exists({ email: lookup }), true, 'Alice exists');
    // `not` over a searchable field would be an inequality on the blind index, which Mallory's copied index fails: refused.
    const negated = await db.logins.find({ where: { not: { email: lookup } } }).then(() => undefined, (e: unknown) => e);
    assert.instance(negated, ValidationError);
    assert.equal((negated as ValidationError).issues.map((i) => i.path), ['where.not.email']);
    assert.equal((await db.logins.find({ where: { email: 'mallory@example.com' } })).map((r) => r.name), [], 'the row that lost its own index is not found by it');

    await new Promise((r) => setTimeout(r, 10));
    const mismatches = events.filter((e) => e.type === 'integrity_failure' && (e.details as { check?: string } | undefined)?.check === 'blind_index');
    assert.ok(mismatches.length >= 6, `security events reported (${mismatches.length})`);
    assert.ok(mismatches.every((e) => e.ids?.length === 1 && e.ids[0] === mallory.id && e.repository === logins.schema.name));
    assert.not.match(JSON.stringify(mismatches), /alice@example\.com|mallory@example\.com/);
    assert.ok(enc.stats().repositories[logins.schema.name]!.indexMismatches >= mismatches.length);

    // Mallory's record created first (its id sorts first): a lookup limited to one row must still find Alice.
    const early = await db.logins.create({ name: 'early', email: 'early@example.com' });
    const late = await db.logins.create({ name: 'late', email: 'late@example.com' });
    await raw.write(s, early.id, { emailBidx: await raw.read(s, late.id, 'emailBidx') });
    assert.is((await db.logins.findOne({ where: { email: 'late@example.com' } }))?.id, late.id, 'findOne finds the record behind the planted one');
    assert.is(await db.logins.exists({ email: 'late@example.com' }), true, 'exists is not fooled by the planted row');
    assert.equal((await db.logins.find({ where: { email: 'late@example.com' }, limit: 1 })).map((r) => r.id), [late.id]);
    assert.equal((await db.logins.findPage({ where: { email: 'late@example.com' }, limit: 1 })).items.map((r) => r.id), [late.id]);
    assert.is(await db.logins.count({ email: 'late@example.com' }), 1);

    // A unique searchable field: the two blind indexes are swapped (copying would break the unique index).
    const a2 = await db.accounts.create({ name: 'alice', email: 'alice@example.com' });
    const m2 = await db.accounts.create({ name: 'mallory', email: 'mallory@example.com' });
    const sa = storage(accounts.schema.name);
    const [ia, im] = [await raw.read(sa, a2.id, 'emailBidx'), await raw.read(sa, m2.id, 'emailBidx')];
    await raw.write(sa, a2.id, { emailBidx: 'swap-in-progress-0000' });
    await raw.write(sa, m2.id, { emailBidx: ia });
    await raw.write(sa, a2.id, { emailBidx: im });
    assert.is(await db.accounts.findOne({ where: { email: 'alice@example.com' } }), null, 'the swapped row is dropped; Alice is not found by the index she lost');
    assert.is(await db.accounts.count({ email: { in: ['alice@example.com', 'mallory@example.com'] } }), 0);
    // An upsert by that field must not write into the record holding Alice's index (Mallory's), nor insert beside it.
    const upsert = await db.accounts.upsert({ name: 'ALICE-NEW', email: 'alice@example.com' }, { conflict: ['email'] }).then(() => undefined, (e: unknown) => e);
    assert.instance(upsert, IntegrityError);
    assert.match((upsert as Error).message, /blind index for email/);
    assert.not.match((upsert as Error).message, /alice@example\.com|mallory@example\.com/);
    assert.equal((await db.accounts.getMany([a2.id, m2.id])).map((r) => r && [r.name, r.email]), [['alice', 'alice@example.com'], ['mallory', 'mallory@example.com']], 'both records unchanged');
    assert.is((await db.accounts.find({})).length, 2, 'nothing inserted');

    // Record mode: the blind index sits beside the envelope; the check opens the envelope.
    const n1 = await db.notes.create({ owner: 'alice', body: 'hers' });
    const n2 = await db.notes.create({ owner: 'mallory', body: 'his' });
    const sn = storage(notes.schema.name);
    await raw.write(sn, n2.id, { ownerBidx: await raw.read(sn, n1.id, 'ownerBidx') });
    assert.equal((await db.notes.find({ where: { owner: 'alice' } })).map((r) => r.body), ['hers']);
    assert.equal((await db.notes.find({ where: { owner: 'alice' }, select: ['id'] })).map((r) => r.id), [n1.id]);
    assert.is(await db.notes.count({ owner: 'alice' }), 1);

    // Untouched lookups are not affected.
    assert.equal((await db.logins.find({ where: { email: 'other@example.com' } })).map((r) => r.id), [other.id]);
  } finally {
    await db.close();
  }
}
