import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, UniqueViolationError, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption } from '../src/index.js';
import { keyIdOf } from '../src/crypto/ciphertext-format.js';
import { KEY_A, highEntropy } from './helpers/keys.js';
import { users, vault, accounts } from './helpers/schemas.js';

const driver = memoryDriver();
const db = createDatabase({
  driver,
  repositories: { users, vault, accounts },
  plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], sensitiveFields: ['api_key', 'accounts.pin'] })],
});
await db.connect();

const raw = (name: string) => driver.query(db.schemas.get(name)!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});

test('create stores ciphertext and a blind index, and returns plaintext', async () => {
  const email = `${highEntropy()}@example.com`;
  const u = await db.users.create({ name: 'Ada', email, ssn: '123-45-6789' });
  assert.is(u.email, email);
  assert.is(u.ssn, '123-45-6789');
  assert.not.ok('emailBidx' in u);
  const stored = (await raw('users')).find((r) => r.id === u.id)!;
  assert.is.not(stored.email, email);
  assert.is(keyIdOf(stored.email), 'k1');
  assert.type(stored.emailBidx, 'string');
  assert.is((stored.emailBidx as string).length, 22);
  const again = await db.users.get(u.id);
  assert.equal(again, u);
});

test('every logical type round-trips through encryption with its JS type', async () => {
  const at = new Date('2026-03-01T10:20:30.456Z');
  const input = {
    label: 'all', s: 'ß∂ƒ😀', t: 'long '.repeat(100), i: -42, n: 3.25, big: -(2n ** 62n), flag: false, at,
    raw: new Uint8Array([0, 1, 254, 255]), doc: { a: 1, b: ['x', 'y'] }, tags: ['p', 'q'], when: [at, new Date(0)], kind: 'b' as const,
  };
  const created = await db.vault.create(input);
  const read = (await db.vault.get(created.id))!;
  for (const [k, v] of Object.entries(input)) assert.equal(read[k as keyof typeof read], v, k);
  assert.ok(read.at instanceof Date);
  assert.ok(read.raw instanceof Uint8Array);
  assert.is(typeof read.big, 'bigint');
  const empty = await db.vault.create({ label: 'nulls' });
  const back = (await db.vault.get(empty.id))!;
  assert.is(back.s, null);
  assert.is(back.doc, null);
  const storedNull = (await raw('vault')).find((r) => r.id === empty.id)!;
  assert.is(storedNull.s, null);
  assert.is(storedNull.iBidx, null);
});

test('equality and in on searchable fields find exactly the right records, with normalisation', async () => {
  const a = await db.users.create({ name: 'A', email: `alpha.${highEntropy()}@x.io`, phone: '+44 1' });
  const b = await db.users.create({ name: 'B', email: `beta.${highEntropy()}@x.io`, phone: '+44 2' });
  const found = await db.users.find({ where: { email: `  ${a.email.toUpperCase()} ` } });
  assert.equal(found.map((r) => r.id), [a.id]);
  const both = await db.users.find({ where: { email: { in: [a.email, b.email, 'nobody@x.io'] } }, orderBy: { name: 'asc' } });
  assert.equal(both.map((r) => r.id), [a.id, b.id]);
  assert.is(await db.users.count({ phone: '+44 2' }), 1);
  assert.is((await db.users.findOne({ where: { phone: '+44 1' } }))!.id, a.id);
  assert.is((await db.vault.find({ where: { i: -42 } })).length, 1);
  assert.is((await db.users.find({ where: { not: { name: 'A' }, email: { in: [a.email, b.email] } } })).length, 1);
  assert.instance(await db.users.find({ where: { not: { email: a.email }, name: { in: ['A', 'B'] } } }).then(() => undefined, (e: unknown) => e), ValidationError);
  assert.ok((await db.users.find({ where: { ssn: { isNull: true } } })).some((r) => r.id === a.id));
});

test('unique on a searchable field is enforced through its blind index (case-folded)', async () => {
  const email = `${highEntropy()}@dup.io`;
  await db.users.create({ name: 'one', email });
  try {
    await db.users.create({ name: 'two', email: email.toUpperCase() });
    assert.unreachable('duplicate accepted');
  } catch (e) {
    assert.instance(e, UniqueViolationError);
  }
  assert.is(await db.users.count({ email }), 1);
});

test('projections return decrypted selected fields only', async () => {
  const u = await db.users.create({ name: 'Proj', email: `${highEntropy()}@p.io`, ssn: 'ssn-proj' });
  const rows = await db.users.find({ where: { id: u.id }, select: ['email', 'ssn'] });
  assert.equal(rows, [{ id: u.id, email: u.email, ssn: 'ssn-proj' }]);
  const names = await db.users.find({ where: { id: u.id }, select: ['name'] });
  assert.equal(names, [{ id: u.id, name: 'Proj' }]);
});

test('update and updateMany by filter re-encrypt bound to each record', async () => {
  const u = await db.users.create({ name: 'Upd', email: `${highEntropy()}@u.io` });
  const next = `${highEntropy()}@u.io`;
  const updated = await db.users.update(u.id, { email: next, ssn: 'new-ssn' });
  assert.is(updated.email, next);
  assert.is((await db.users.findOne({ where: { email: next } }))!.id, u.id);
  assert.is(await db.users.count({ email: u.email }), 0);
  const x = await db.users.create({ name: 'Many', email: `${highEntropy()}@m.io` });
  const y = await db.users.create({ name: 'Many', email: `${highEntropy()}@m.io` });
  const n = await db.users.updateMany({ name: 'Many' }, { ssn: 'shared-ssn' });
  assert.is(n, 2);
  const rows = await db.users.getMany([x.id, y.id]);
  assert.equal(rows.map((r) => r.ssn), ['shared-ssn', 'shared-ssn']);
  const stored = (await raw('users')).filter((r) => r.id === x.id || r.id === y.id);
  assert.is.not(stored[0]!.ssn, stored[1]!.ssn);
  assert.is(await db.users.updateMany({ email: y.email }, { name: 'Renamed' }), 1);
  assert.is((await db.users.get(y.id))!.name, 'Renamed');
});

test('upsert on the id and on a searchable unique field binds ciphertext to the stored record', async () => {
  const email = `${highEntropy()}@ups.io`;
  const first = await db.users.upsert({ name: 'U1', email, ssn: 's1' }, { conflict: ['email'] });
  const second = await db.users.upsert({ name: 'U2', email, ssn: 's2' }, { conflict: ['email'] });
  assert.is(second.id, first.id);
  assert.is(second.ssn, 's2');
  assert.is((await db.users.get(first.id))!.ssn, 's2');
  const byId = await db.users.upsert({ id: first.id, name: 'U3', email, ssn: 's3' });
  assert.is(byId.ssn, 's3');
  assert.is((await db.users.get(first.id))!.name, 'U3');
});

test('delete and deleteMany by an encrypted searchable filter', async () => {
  const u = await db.users.create({ name: 'Del', email: `${highEntropy()}@d.io` });
  assert.is(await db.users.deleteMany({ email: u.email }), 1);
  assert.is(await db.users.get(u.id), null);
});

test('config-named fields are encrypted; secret fields named in config stay hashed by core', async () => {
  const apiKey = highEntropy('sk_');
  const acc = await db.accounts.create({ owner: 'o', apiKey, pin: '1234-pin' });
  assert.is(acc.apiKey, apiKey);
  assert.not.ok('pin' in acc);
  const stored = (await raw('accounts'))[0]!;
  assert.is(keyIdOf(stored.apiKey), 'k1');
  assert.match(String(stored.pin), /scrypt/);
  assert.ok(await db.accounts.verifySecret(acc.id, 'pin', '1234-pin'));
  assert.not.ok(await db.accounts.verifySecret(acc.id, 'pin', 'wrong'));
});

test('operators other than equality on fields named in sensitiveFields raise ValidationError before the driver', async () => {
  const before = await raw('accounts');
  const cases: [string, () => Promise<unknown>][] = [
    ['range', () => db.accounts.find({ where: { apiKey: { gt: 'a' } } })],
    ['startsWith', () => db.accounts.find({ where: { apiKey: { startsWith: 'sk_' } } })],
    ['equality without index', () => db.accounts.find({ where: { apiKey: 'x' } })],
    ['in without index', () => db.accounts.count({ apiKey: { in: ['x'] } })],
    ['orderBy', () => db.accounts.find({ orderBy: { apiKey: 'asc' } })],
    ['update filter', () => db.accounts.updateMany({ apiKey: { lt: 'z' } }, { owner: 'x' })],
    ['delete filter', () => db.accounts.deleteMany({ apiKey: { startsWith: 's' } })],
  ];
  for (const [what, run] of cases) {
    try {
      await run();
      assert.unreachable(what);
    } catch (e) {
      assert.instance(e, ValidationError, what);
      assert.not.match((e as Error).message, /sk_/);
    }
  }
  try {
    await db.accounts.update(before[0]!.id as string, { apiKey: { increment: 1 } } as never);
    assert.unreachable('increment');
  } catch (e) {
    assert.instance(e, ValidationError);
  }
  assert.equal(await raw('accounts'), before);
});

test('schema-declared sensitive fields reject range filters and sort (core validation)', async () => {
  try {
    await db.users.find({ where: { email: { startsWith: 'a' } } } as never);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ValidationError);
  }
});

test.after(async () => {
  await db.close();
});
test.run();
