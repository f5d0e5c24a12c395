import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f } from '@chatcore/core';
import type { FieldMeta, RepositorySchema } from '@chatcore/core/driver';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { suffix, testDriver } from './helpers/emulator.js';
import { schemaRefusal, storedDocuments } from './helpers/schema-drift.js';

// A field derived from another (FieldMeta.derivedFrom, as the encryption plugin marks a blind index) that documents
// written before it existed lack, while they hold values of its source: ensureSchema refuses it, as SQL refuses to
// add the column.

const emulator = await useFirestoreEmulator();
const driver = testDriver(emulator);

const derived = (from: string): FieldMeta => ({
  type: 'string', column: 'code_bidx', optional: true, unique: false, indexed: true, secret: false, storedAs: 'blind-index', derivedFrom: from,
});

/** `code`, and later the field a plugin derives from it. */
function versions(): { table: string; before: RepositorySchema; after: RepositorySchema } {
  const table = `derived_${suffix()}`;
  const before = defineRepository('items', { id: f.id(), title: f.string(), code: f.text().optional() }, { table }).schema;
  const after = { ...before, fields: { ...before.fields, codeBidx: derived('code') }, indexes: [{ name: 'items_code_bidx_idx', fields: ['codeBidx'], unique: false }] };
  return { table, before, after };
}

/** The same, with `code` kept inside an envelope field that `holds` it (the encryption plugin's record mode). */
function sealedVersions(): { table: string; before: RepositorySchema; after: RepositorySchema } {
  const table = `sealed_${suffix()}`;
  const before = defineRepository('notes', { id: f.id(), sealed: f.text() }, { table }).schema;
  const envelope: FieldMeta = { ...before.fields.sealed!, holds: { code: { searchable: true } } };
  return { table, before, after: { ...before, fields: { ...before.fields, sealed: envelope, codeBidx: derived('code') } } };
}


test('a derived field that documents with values of its source lack is refused in apply and verify mode, naming both; nothing is written', async () => {
  const { table, before, after } = versions();
  await driver.insert(before, [{ id: 'a', title: 'x', code: 'c-1' }, { id: 'b', title: 'y', code: null }], {});
  const stored = await storedDocuments(driver, table);
  const err = await schemaRefusal(driver.ensureSchema([after], { mode: 'apply' }));
  assert.match(err.message, `${table}.codeBidx (items.codeBidx) is missing and derives from items.code: 2 of 2 existing documents lack it`);
  assert.match(err.message, 'add it with a migration that stores and backfills it');
  assert.equal(err.info.destructive, err.info.differences);
  assert.equal(err.info.additive, [], 'nothing to offer as additive');
  const verify = await schemaRefusal(driver.ensureSchema([after], { mode: 'verify' }));
  assert.equal(verify.info.differences, err.info.differences);
  assert.equal(await storedDocuments(driver, table), stored);
});

test('only collections whose documents lack the field are named: an empty one is accepted, one with only nulls is not (a null test would miss them)', async () => {
  const filled = versions();
  const empty = versions();
  const nulls = versions();
  await driver.insert(filled.before, [{ id: 'a', title: 'x', code: 'c-1' }], {});
  await driver.insert(nulls.before, [{ id: 'a', title: 'x', code: null }, { id: 'b', title: 'y', code: null }], {});
  const err = await schemaRefusal(driver.ensureSchema([empty.after, nulls.after, filled.after], { mode: 'apply' }));
  assert.equal(err.info.differences, [
    `${nulls.table}.codeBidx (items.codeBidx) is missing and derives from items.code: 2 of 2 existing documents lack it, so lookups by code (and null tests) would miss them; add it with a migration that stores and backfills it`,
    `${filled.table}.codeBidx (items.codeBidx) is missing and derives from items.code: 1 of 1 existing documents lack it, so lookups by code (and null tests) would miss them; add it with a migration that stores and backfills it`,
  ]);
  await driver.migrations.applySchemaChanges([], [nulls.after]);
  for (const mode of ['apply', 'verify'] as const) {
    const report = await driver.ensureSchema([empty.after, nulls.after], { mode });
    assert.equal(report.applied, []);
    assert.ok(report.notes!.some((n) => n.includes('composite index')), 'the usual report');
  }
});

test('documents written with the derived field do not hide older ones without it; accepted once every document holds it', async () => {
  const { table, before, after } = versions();
  await driver.insert(before, [{ id: 'old', title: 'x', code: 'c-1' }], {});
  await driver.insert(after, [{ id: 'new', title: 'y', code: 'c-2', codeBidx: 'h-2' }, { id: 'none', title: 'z', code: null, codeBidx: null }], {});
  const err = await schemaRefusal(driver.ensureSchema([after], { mode: 'apply' }));
  assert.match(err.message, '1 of 3 existing documents lack it');
  // A migration's schema step stores the field as null on the documents that lack it (its backfill then fills the
  // values): from there the field exists everywhere, as an SQL column does once added.
  await driver.migrations.applySchemaChanges([], [after]);
  assert.equal((await storedDocuments(driver, table)).old, { title: 'x', code: 'c-1', codeBidx: null });
  assert.equal((await driver.ensureSchema([after], { mode: 'verify' })).applied, []);
});

test('record mode: refused while documents hold an envelope without the index field, whatever it holds; accepted once each holds the field', async () => {
  const { table, before, after } = sealedVersions();
  await driver.insert(before, [{ id: 'a', sealed: 'opaque-1' }], {});
  await driver.insert(after, [{ id: 'b', sealed: 'opaque-2', codeBidx: 'h-2' }], {});
  const err = await schemaRefusal(driver.ensureSchema([after], { mode: 'apply' }));
  assert.match(err.message, `${table}.codeBidx (notes.codeBidx) is missing and derives from notes.code`);
  // The envelope of `a` may hold a null code: once the field is stored (null, by a migration's schema step), it serves `a`.
  await driver.migrations.applySchemaChanges([], [after]);
  assert.equal((await driver.ensureSchema([after], { mode: 'verify' })).applied, []);
  const empty = sealedVersions();
  assert.equal((await driver.ensureSchema([empty.after], { mode: 'apply' })).applied, []);
});

test.after(() => driver.close());
test.run();
