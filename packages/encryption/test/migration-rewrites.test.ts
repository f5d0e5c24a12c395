import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { createDatabase, defineRepository, f, IntegrityError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption } from '../src/index.js';

const KEY = createHash('sha256').update('migration-rewrites').digest('base64');
const people = defineRepository('people', { id: f.id(), name: f.string(), phone: f.string().optional().sensitive(), version: f.version() });

test('migrationRewrites: only rows without any encrypted value are read without an authenticator, and only while a step runs', async () => {
  const driver = memoryDriver();
  const plugin = encryption({ keys: [{ id: 'k1', key: KEY }] });
  const db = createDatabase({ driver, repositories: { people }, plugins: [plugin] });
  await db.connect();
  const bare = await db.people.create({ name: 'bare', phone: null });
  const held = await db.people.create({ name: 'held', phone: '555' });
  // Authenticators removed below chatcore: rows as written before the repository had an encrypted field (bare), or stripped (held).
  await driver.update(db.schemas.get('people')!, { ids: [bare.id, held.id] }, { set: { rowAuth: null }, increment: {} }, {});
  const refused = (id: string) => db.people.get(id).then(() => false, (e: unknown) => e instanceof IntegrityError);
  assert.ok(await refused(bare.id), 'refused before a step runs');
  const release = plugin.migrationRewrites('people')!;
  assert.is((await db.people.get(bare.id)).name, 'bare');
  assert.ok(await refused(held.id), 'a row holding ciphertext still needs its authenticator');
  await db.people.update(bare.id, { name: 'rewritten' });
  release();
  assert.is((await db.people.get(bare.id)).name, 'rewritten', 'the rewrite added its authenticator');
  assert.ok(await refused(held.id));
  assert.is(plugin.migrationRewrites('nobody'), undefined);
  await db.close();
});

test.run();
