import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes, scryptSync } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { pglite } from '../src/index.js';
import { shared } from './helpers/shared-pglite.js';

const users = defineRepository('users', { id: f.id(), login: f.string(), password: f.string().secret() }, { table: 'secret_users' });
const db = createDatabase({ driver: pglite({ client: shared }), repositories: { users } });
await db.connect();

test("a row writer who copies Mallory's password hash into Alice's row (SQL UPDATE ... SELECT) cannot log in as Alice with Mallory's password", async () => {
  const alice = await db.users.create({ login: 'alice', password: 'alice-pw-7d1e' });
  const mallory = await db.users.create({ login: 'mallory', password: 'mallory-pw-93ac' });
  await shared.query('update secret_users set password = (select password from secret_users where id = $1) where id = $2', [mallory.id, alice.id]);
  const copied = await shared.query<{ same: boolean }>('select a.password = m.password as same from secret_users a, secret_users m where a.id = $1 and m.id = $2', [alice.id, mallory.id]);
  assert.is(copied.rows[0]!.same, true, 'the hash was copied');
  assert.is(await db.users.verifySecret(alice.id, 'password', 'mallory-pw-93ac'), false);
  assert.is(await db.users.verifySecret(mallory.id, 'password', 'mallory-pw-93ac'), true);
});

test('an unbound hash of an earlier version, written by SQL, verifies once and is rehashed bound in place', async () => {
  const bob = await db.users.create({ login: 'bob', password: 'unused-pw' });
  const salt = randomBytes(16);
  const legacy = `scrypt$32768$8$1$${salt.toString('base64url')}$${scryptSync('bob-old-pw', salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 2 ** 20 }).toString('base64url')}`;
  await shared.query('update secret_users set password = $1 where id = $2', [legacy, bob.id]);
  assert.is(await db.users.verifySecret(bob.id, 'password', 'bob-old-pw'), true);
  const { rows } = await shared.query<{ password: string }>('select password from secret_users where id = $1', [bob.id]);
  assert.match(rows[0]!.password, /^scrypt2\$16384\$8\$5\$/);
  assert.is(await db.users.verifySecret(bob.id, 'password', 'bob-old-pw'), true);
});

test.after(async () => {
  await db.close();
  await shared.close();
});

test.run();
