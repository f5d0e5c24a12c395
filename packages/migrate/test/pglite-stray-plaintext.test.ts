import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, MigrationError } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { pglite } from '@chatcore/pglite';
import type { SqlDriver } from '@chatcore/sql';
import { planMigration } from '../src/index.js';
import { KEY } from './helpers/tickets.js';

// A field encrypted all along, one of whose values was overwritten with
// plaintext outside chatcore: planning a later change names that value as
// stray plaintext to restore, not the field as one that "becomes encrypted".

const plugins = () => [encryption({ keys: [{ id: 'k1', key: KEY }] })];
const V1 = defineRepository('notes', { id: f.id(), body: f.string().sensitive() });
const V2 = defineRepository('notes', { id: f.id(), body: f.string().sensitive(), title: f.string().optional() });

test('a plaintext value among ciphertexts is reported as written around the library', async () => {
  const driver = pglite();
  const db1 = createDatabase({ driver, repositories: { notes: V1 }, plugins: plugins() });
  await db1.connect();
  const rows = await db1.notes.createMany([{ body: 'one' }, { body: 'two' }, { body: 'three' }]);
  await (driver as SqlDriver).kysely<{ notes: typeof V1 }>().updateTable('notes').set({ body: 'typed by hand' as never }).where('id', '=', rows[1]!.id).execute();

  const db2 = createDatabase({ driver, repositories: { notes: V2 }, plugins: plugins(), schemaMode: 'off' });
  const err = await planMigration(db2, { id: '002_title' }).then(() => undefined, (e: unknown) => e);
  await db1.close();
  assert.instance(err, MigrationError, String(err));
  const e = err as MigrationError;
  assert.is(e.info.reason, 'not-ciphertext');
  assert.is(e.info.record, rows[1]!.id);
  assert.is(e.info.field, 'body');
  assert.not.match(e.message, 'becomes encrypted');
  assert.match(e.message, 'keys verify');
  assert.not.match(e.message, 'typed by hand');
});

test('a field whose values are all plaintext still becomes encrypted through a new field', async () => {
  const driver = pglite();
  const plain = defineRepository('notes', { id: f.id(), body: f.string() });
  const db1 = createDatabase({ driver, repositories: { notes: plain } });
  await db1.connect();
  await db1.notes.createMany([{ body: 'one' }, { body: 'two' }]);
  const db2 = createDatabase({ driver, repositories: { notes: V1 }, plugins: plugins(), schemaMode: 'off' });
  const err = await planMigration(db2, { id: '002_encrypt' }).then(() => undefined, (e: unknown) => e);
  await db1.close();
  assert.instance(err, MigrationError, String(err));
  assert.is((err as MigrationError).info.reason, 'plaintext-values');
  assert.match((err as MigrationError).message, 'becomes encrypted');
});

test.run();
