import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes, scryptSync } from 'node:crypto';
import { createDatabase, defineRepository, f, IntegrityError, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';

const users = defineRepository('users', {
  id: f.id(),
  login: f.string().unique(),
  password: f.string().secret().optional(),
  recoveryCode: f.string().secret().optional(),
  version: f.version(),
});
const admins = defineRepository('admins', { id: f.id(), password: f.string().secret().optional() });

const driver = memoryDriver();
const db = createDatabase({ driver, repositories: { users, admins } });
await db.connect();
const schema = db.schemas.get('users')!;

/** What a database row writer sees and writes: the stored value, below every hook. */
async function storedOf(id: string, field = 'password'): Promise<string> {
  return (await driver.getByIds(schema, [id], {}))[0]![field] as string;
}
async function write(id: string, value: string, field = 'password'): Promise<void> {
  await driver.update(schema, { ids: [id] }, { set: { [field]: value }, increment: {} }, {});
}
/** A hash in the format of earlier versions (unbound), or with chosen parameters. */
function unboundHash(secret: string, N: number, r = 8, p = 1, saltBytes = 16, keyBytes = 32): string {
  const salt = randomBytes(saltBytes);
  const key = scryptSync(secret, salt, keyBytes, { N, r, p, maxmem: 256 * N * r + 2 ** 20 });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}
const login = () => `u-${randomBytes(6).toString('hex')}`;

test("Mallory's hash copied into Alice's row does not verify Mallory's password for Alice, nor does a copy to another field or repository", async () => {
  const alice = await db.users.create({ login: login(), password: 'alice-secret-pw' });
  const mallory = await db.users.create({ login: login(), password: 'mallory-own-pw', recoveryCode: 'mallory-code' });
  const malloryHash = await storedOf(mallory.id);
  assert.ok(await db.users.verifySecret(mallory.id, 'password', 'mallory-own-pw'));
  await write(alice.id, malloryHash);
  assert.is(await db.users.verifySecret(alice.id, 'password', 'mallory-own-pw'), false);
  // Another field of the same record.
  await write(mallory.id, await storedOf(mallory.id, 'recoveryCode'), 'password');
  assert.is(await db.users.verifySecret(mallory.id, 'password', 'mallory-code'), false);
  // Another repository with the same field name and id.
  const admin = await db.admins.create({ password: 'admin-pw' });
  await driver.update(db.schemas.get('admins')!, { ids: [admin.id] }, { set: { password: malloryHash }, increment: {} }, {});
  assert.is(await db.admins.verifySecret(admin.id, 'password', 'mallory-own-pw'), false);
});

test('new hashes use OWASP minimum parameters (N=2^14, r=8, p=5); an unbound hash of an earlier version verifies once and is rehashed bound', async () => {
  const alice = await db.users.create({ login: login(), password: 'alice-pw' });
  assert.match(await storedOf(alice.id), /^scrypt2\$16384\$8\$5\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  const mallory = await db.users.create({ login: login() });
  await write(mallory.id, unboundHash('mallory-pw', 2 ** 15));
  assert.is(await db.users.verifySecret(mallory.id, 'password', 'wrong'), false);
  assert.match(await storedOf(mallory.id), /^scrypt\$32768\$/, 'a failed check changes nothing');
  assert.is(await db.users.verifySecret(mallory.id, 'password', 'mallory-pw'), true);
  const rehashed = await storedOf(mallory.id);
  assert.match(rehashed, /^scrypt2\$16384\$8\$5\$/);
  assert.is(await db.users.verifySecret(mallory.id, 'password', 'mallory-pw'), true);
  // Once rehashed, Mallory's hash is bound to her record like any new one.
  await write(alice.id, rehashed);
  assert.is(await db.users.verifySecret(alice.id, 'password', 'mallory-pw'), false);
});

test('a rehash never overwrites a secret that changed while the old one was being checked', async () => {
  const inner = memoryDriver();
  let meanwhile: (() => Promise<void>) | undefined;
  // Runs `meanwhile` after a read returns: a password change committed between verifySecret's read and its rehash.
  const racing = new Proxy(inner, {
    get(target, key) {
      if (key === 'getByIds') {
        return async (...args: Parameters<typeof inner.getByIds>) => {
          const rows = await target.getByIds(...args);
          const run = meanwhile;
          meanwhile = undefined;
          if (run) await run();
          return rows;
        };
      }
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const local = createDatabase({ driver: racing, repositories: { users } });
  await local.connect();
  const u = await local.users.create({ login: login() });
  const s = local.schemas.get('users')!;
  await inner.update(s, { ids: [u.id] }, { set: { password: unboundHash('old-pw', 2 ** 15) }, increment: {} }, {});
  meanwhile = async () => { await local.users.update(u.id, { password: 'changed-pw' }); };
  assert.is(await local.users.verifySecret(u.id, 'password', 'old-pw'), true, 'the old secret was right when it was read');
  assert.is(await local.users.verifySecret(u.id, 'password', 'changed-pw'), true, 'the change made meanwhile stands');
  assert.is(await local.users.verifySecret(u.id, 'password', 'old-pw'), false);
  await local.close();
});

test('stored hashes with parameters below the floor or above the ceiling, or not chatcore hashes, raise IntegrityError before any hashing, data unchanged', async () => {
  const victim = await db.users.create({ login: login(), password: 'victim-pw' });
  const planted: Array<[string, string]> = [
    ['N=2 (verifies in microseconds)', unboundHash('attacker-pw', 2)],
    ['N=2^10', unboundHash('attacker-pw', 2 ** 10)],
    ['N=2^30', `scrypt2$${2 ** 30}$8$1$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`],
    ['r=2^20', `scrypt2$${2 ** 15}$${2 ** 20}$1$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`],
    ['p=2^20', `scrypt2$${2 ** 17}$8$${2 ** 20}$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`],
    ['N not a power of two', `scrypt2$100000$8$1$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`],
    ['a 4-byte salt', unboundHash('attacker-pw', 2 ** 15, 8, 1, 4)],
    ['a 4-byte hash', unboundHash('attacker-pw', 2 ** 15, 8, 1, 16, 4)],
    ['not a hash', 'attacker-pw'],
    ['another algorithm', '$2b$04$abcdefghijklmnopqrstuu5t5bCZ1xUvHmrqGfRkcPAFQyPzKm9G'],
  ];
  for (const [what, hash] of planted) {
    await write(victim.id, hash);
    const before = await driver.getByIds(schema, [victim.id], {});
    let error: unknown;
    try {
      await db.users.verifySecret(victim.id, 'password', 'attacker-pw');
    } catch (e) {
      error = e;
    }
    assert.instance(error, IntegrityError, `${what}: ${String(error)}`);
    assert.match((error as Error).message, /users\.password/);
    assert.not.ok((error as Error).message.includes('attacker-pw'), what);
    assert.equal(await driver.getByIds(schema, [victim.id], {}), before, `${what}: data unchanged`);
  }
});

test('secrets are set per record: updateMany refuses them, upsert takes them only with conflict on id', async () => {
  const a = await db.users.create({ login: login(), password: 'a-pw' });
  const before = await storedOf(a.id);
  // The types refuse these two calls as well; the run-time check is for untyped callers.
  // @ts-expect-error updateMany cannot set a secret
  await db.users.updateMany({ id: a.id }, { password: 'mass-pw' }).then(() => assert.unreachable(), (e) => assert.instance(e, ValidationError));
  // @ts-expect-error an upsert by key needs an update without the secret
  await db.users.upsert({ login: a.login as string, password: 'x-pw' }, { conflict: ['login'] }).then(() => assert.unreachable(), (e) => assert.instance(e, ValidationError));
  assert.is(await storedOf(a.id), before);
  await db.users.upsert({ id: a.id, login: a.login as string, password: 'upserted-pw' });
  assert.ok(await db.users.verifySecret(a.id, 'password', 'upserted-pw'));
  const created = await db.users.upsert({ login: login(), password: 'fresh-pw' }, { conflict: ['login'], update: { login: 'unused' } });
  assert.ok(await db.users.verifySecret(created.id, 'password', 'fresh-pw'));
  const same = await db.users.upsert({ login: created.login as string, password: 'ignored-pw' }, { conflict: ['login'], update: {} });
  assert.is(same.id, created.id);
  assert.ok(await db.users.verifySecret(created.id, 'password', 'fresh-pw'), 'an upsert by key that updates leaves the secret as it is');
  await db.users.updateMany({ id: a.id }, { login: login() });
  assert.ok(await db.users.verifySecret(a.id, 'password', 'upserted-pw'), 'other fields still update in bulk');
});

test.after(() => db.close());

test.run();
