import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, IntegrityError, KeyError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption, type EncryptionPlugin, type EncryptionStats } from '../src/index.js';
import { KEY_A, KEY_B, highEntropy } from './helpers/keys.js';
import { users, messages } from './helpers/schemas.js';

const driver = memoryDriver();
const db = createDatabase({ driver, repositories: { users, messages }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] });
await db.connect();
const enc = db.plugin<EncryptionPlugin>('encryption')!;
// Shares the store (closing either closes the driver: done once, at the end).
const other = createDatabase({ driver, repositories: { users, messages }, plugins: [encryption({ keys: [{ id: 'k9', key: KEY_B }] })] });
const schema = (n: string) => db.schemas.get(n)!;
const setRaw = (n: string, id: string, set: Record<string, unknown>) => driver.update(schema(n), { ids: [id] }, { set, increment: {} }, {});
const getRaw = async (n: string, id: string) => (await driver.getByIds(schema(n), [id], {}))[0]!;

/** What changed in the counters of one repository between two snapshots. */
function delta(before: EncryptionStats, after: EncryptionStats, repo: string) {
  const b = before.repositories[repo]!, a = after.repositories[repo]!;
  return { sealed: a.sealed - b.sealed, opened: a.opened - b.opened, blindIndexes: a.blindIndexes - b.blindIndexes, integrityFailures: a.integrityFailures - b.integrityFailures, missingKeys: a.missingKeys - b.missingKeys };
}

async function rejects(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

test('before any operation every protected repository reports zero counters and the connected keyring', () => {
  const s = enc.stats();
  assert.equal(Object.keys(s.repositories).sort(), ['messages', 'users']);
  assert.equal(s.repositories.users, { sealed: 0, opened: 0, blindIndexes: 0, integrityFailures: 0, missingKeys: 0, indexMismatches: 0, byKey: { k1: { sealed: 0, opened: 0 } } });
  assert.is(s.sealed, 0);
  assert.is(s.activeKeyId, 'k1');
  assert.equal(s.keyIds, ['k1']);
});

test('field mode counts one seal per non-null encrypted value, one blind index per non-null searchable value, one open per value read', async () => {
  const s0 = enc.stats();
  // email (searchable) and ssn set, phone (searchable) left null: 2 seals, 1 blind index.
  const u = await db.users.create({ name: 'Ada', email: `${highEntropy()}@a.io`, ssn: '123-45-6789' });
  const s1 = enc.stats();
  assert.equal(delta(s0, s1, 'users'), { sealed: 2, opened: 0, blindIndexes: 1, integrityFailures: 0, missingKeys: 0 });
  await db.users.get(u.id);
  const s2 = enc.stats();
  assert.equal(delta(s1, s2, 'users'), { sealed: 0, opened: 2, blindIndexes: 0, integrityFailures: 0, missingKeys: 0 });
  // A lookup hashes the searched value once, then opens what it finds.
  assert.is((await db.users.findOne({ where: { email: u.email } }))?.id, u.id);
  const s3 = enc.stats();
  assert.equal(delta(s2, s3, 'users'), { sealed: 0, opened: 2, blindIndexes: 1, integrityFailures: 0, missingKeys: 0 });
  assert.equal(s3.repositories.users!.byKey, { k1: { sealed: 2, opened: 4 } });
});

test('record mode counts one seal and one open per envelope, whatever the number of sealed fields', async () => {
  const s0 = enc.stats();
  const m = await db.messages.create({ conversationId: 'c1', role: 'user', body: highEntropy(), author: 'ada' });
  await db.messages.get(m.id);
  const s1 = enc.stats();
  assert.equal(delta(s0, s1, 'messages'), { sealed: 1, opened: 1, blindIndexes: 1, integrityFailures: 0, missingKeys: 0 });
  assert.equal(delta(s0, s1, 'users'), { sealed: 0, opened: 0, blindIndexes: 0, integrityFailures: 0, missingKeys: 0 });
});

test('totals are the sums over repositories, per key id too', () => {
  const s = enc.stats();
  const repos = Object.values(s.repositories);
  for (const k of ['sealed', 'opened', 'blindIndexes', 'integrityFailures', 'missingKeys'] as const) {
    assert.is(s[k], repos.reduce((n, r) => n + r[k], 0), k);
  }
  assert.is(s.byKey.k1!.sealed, s.sealed);
  assert.is(s.byKey.k1!.opened, s.opened);
});

test('a tampered value read back counts as an integrity failure, a value under an unknown key as a missing key', async () => {
  const a = await db.users.create({ name: 'a', email: `${highEntropy()}@a.io`, ssn: highEntropy() });
  const b = await db.users.create({ name: 'b', email: `${highEntropy()}@b.io`, ssn: highEntropy() });
  await setRaw('users', b.id, { ssn: (await getRaw('users', a.id)).ssn });
  const s0 = enc.stats();
  assert.instance(await rejects(() => db.users.get(b.id)), IntegrityError);
  const s1 = enc.stats();
  assert.is(delta(s0, s1, 'users').integrityFailures, 1);
  assert.is(delta(s0, s1, 'users').missingKeys, 0);

  // Another database on the same store writes under key id k9, which this keyring lacks.
  await other.connect();
  const foreign = await other.users.create({ name: 'f', email: `${highEntropy()}@f.io` });
  assert.instance(await rejects(() => db.users.get(foreign.id)), KeyError);
  const s2 = enc.stats();
  assert.equal(delta(s1, s2, 'users'), { sealed: 0, opened: 0, blindIndexes: 0, integrityFailures: 0, missingKeys: 1 });
});

test('after a rotation the counters show both key ids in use, and re-encryption as opens under the old key and seals under the new', async () => {
  const before = enc.stats().repositories.users!.byKey;
  await enc.addKey({ id: 'k2', key: KEY_B }, { activate: true });
  await db.users.create({ name: 'new', email: `${highEntropy()}@n.io` });
  let s = enc.stats();
  assert.is(s.activeKeyId, 'k2');
  assert.equal(s.keyIds, ['k1', 'k2']);
  assert.equal(s.repositories.users!.byKey.k2, { sealed: 1, opened: 0 });
  // Remove what the test above left unreadable, then move the rest to k2.
  for (const r of await driver.query(schema('users'), { orderBy: [{ field: 'id', direction: 'asc' }] }, {})) {
    if (!(await db.users.get(r.id as string).then(() => true, () => false))) await driver.delete(schema('users'), { ids: [r.id as string] }, {});
  }
  const mid = enc.stats().repositories.users!.byKey;
  const result = await enc.reencrypt({ repository: 'users' });
  s = enc.stats();
  assert.ok(result.rewritten > 0);
  assert.is(s.repositories.users!.byKey.k1!.opened - mid.k1!.opened, result.rewritten);
  assert.is(s.repositories.users!.byKey.k2!.sealed - mid.k2!.sealed, result.rewritten);
  assert.is(s.repositories.users!.byKey.k1!.sealed, before.k1!.sealed, 'nothing new under k1');
});

test('counters survive close; the keyring state does not', async () => {
  const open = enc.stats();
  await db.close();
  const closed = enc.stats();
  assert.equal(closed.repositories, open.repositories);
  assert.is(closed.activeKeyId, undefined);
  assert.equal(closed.keyIds, []);
  await other.close();
});

test.run();
