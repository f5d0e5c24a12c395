import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import type { Plugin } from '@chatcore/core/plugin';
import { leakedMarkers } from '@chatcore/core/testing';

const users = defineRepository('users', { id: f.id(), name: f.string(), password: f.string().secret() });
const notes = defineRepository('notes', { id: f.id(), body: f.text() });

test('util.inspect and JSON.stringify of a database show its repositories, driver and plugin names, and no plugin or driver internals', async () => {
  const token = `token-${randomBytes(12).toString('hex')}`;
  const driverSecret = `driver-${randomBytes(12).toString('hex')}`;
  // A plugin and a driver that keep a secret in a plain member, as third-party ones may.
  const vault = { name: 'vault', token, keys: { primary: Buffer.from(token) } } as Plugin & { token: string };
  const driver = Object.assign(memoryDriver(), { connectionString: `postgres://app:${driverSecret}@db/app` });
  const db = createDatabase({ driver, repositories: { users, notes }, plugins: [vault] });
  await db.connect();
  await db.users.create({ name: 'ada', password: `pw-${token}` });
  assert.equal(leakedMarkers(db, [token, driverSecret]), []);
  assert.equal(JSON.parse(JSON.stringify(db)), { driver: driver.name, repositories: ['users', 'notes'], plugins: ['vault'] });
  const printed = inspect(db, { depth: Infinity });
  for (const part of ['users', 'notes', 'vault', driver.name]) assert.ok(printed.includes(part), `${part} in ${printed}`);
  // The members are still there for code that uses them.
  assert.is((db.plugin('vault') as typeof vault).token, token);
  await db.close();
});

test('toJSON cannot be a repository key (it would replace what JSON.stringify prints)', () => {
  assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { toJSON: notes } as never }), /toJSON/);
});

test.run();
