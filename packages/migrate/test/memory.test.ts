import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, MigrationError } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption } from '@chatcore/encryption';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createMigration, defineMigration, migrate, migrationStatus } from '../src/index.js';
import { evolve, KEY, salt, ticketsV1, ticketsV2, v1Row } from './helpers/tickets.js';
import { renameRefusesTamperedRow, renameUnderRowAuth } from './helpers/row-auth-rename.js';

// The V1 → V2 runs here keep row authenticators off; renames under row authenticators: helpers/row-auth-rename.ts.
const keys = () => [encryption({ keys: [{ id: 'k1', key: KEY }], rowAuthentication: 'off' })];

test('memory driver: the V1 → V2 migration renames, re-encrypts, converts, fills and drops', async () => {
  const driver = memoryDriver();
  const s = salt();
  const db1 = createDatabase({ driver, repositories: { tickets: ticketsV1 }, plugins: keys() });
  await db1.connect();
  const created = await db1.tickets.createMany(Array.from({ length: 120 }, (_, i) => v1Row(i, s)));
  // The same driver (and its rows) for release 2; closing db1 would clear them.
  const db2 = createDatabase({ driver, repositories: { tickets: ticketsV2 }, plugins: keys(), schemaMode: 'off' });
  const result = await migrate(db2, { migrations: [evolve(50)] });
  assert.equal(result.applied, ['002_evolve_tickets']);
  for (const [i, c] of created.entries()) {
    const v1 = v1Row(i, s);
    assert.equal(await db2.tickets.get(c.id), { id: c.id, subject: v1.title, contact: v1.email, priority: Number(v1.priority), plan: Number(v1.priority) > 5 ? 'pro' : 'free', counter: 0 });
  }
  const found = await db2.tickets.findOne({ where: { contact: v1Row(7, s).email } });
  assert.is(found?.id, created[7]!.id);
  const raw = await driver.query(db2.schemas.get('tickets')!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  assert.equal(Object.keys(raw[0]!).sort(), ['contact', 'contactBidx', 'counter', 'id', 'plan', 'priority', 'subject']);
  assert.not.ok(JSON.stringify(raw).includes(s), 'no plaintext email in storage');
  assert.equal((await driver.migrations.history()).map((h) => [h.id, Boolean(h.finishedAt)]), [['002_evolve_tickets', true]]);
});

test('memory driver: requiring a field that some rows lack fails and changes nothing', async () => {
  const driver = memoryDriver();
  const db1 = createDatabase({ driver, repositories: { tickets: ticketsV1 }, plugins: keys() });
  await db1.connect();
  await db1.tickets.create(v1Row(1, salt()));
  const before = await driver.query(db1.schemas.get('tickets')!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  const noFill = defineMigration({
    id: '002_no_fill',
    up(m) {
      m.renameField('tickets', 'title', 'subject');
      m.renameField('tickets', 'email', 'contact');
      m.changeType('tickets', 'priority', { convert: (v) => Number(v) });
      m.addField('tickets', 'plan');
      m.backfill('tickets', {}, () => undefined);
      m.dropField('tickets', 'legacy');
    },
  });
  const db2 = createDatabase({ driver, repositories: { tickets: ticketsV2 }, plugins: keys(), schemaMode: 'off' });
  const err = await migrate(db2, { migrations: [noFill] }).catch((e: unknown) => e);
  assert.instance(err, MigrationError);
  assert.match((err as Error).message, /Cannot require tickets\.plan/);
  const after = await driver.query(db2.schemas.get('tickets')!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  // The contract step failed as a whole: the old fields are still there (values copied, nothing dropped).
  assert.ok('legacy' in after[0]! && 'email' in after[0]!);
  assert.is(before.length, after.length);
});

test('data steps go through the plugins: every rewritten row passes the update hooks and is committed once', async () => {
  const driver = memoryDriver();
  const s = salt();
  const db1 = createDatabase({ driver, repositories: { tickets: ticketsV1 }, plugins: keys() });
  await db1.connect();
  const created = await db1.tickets.createMany(Array.from({ length: 30 }, (_, i) => v1Row(i, s)));
  const updated: string[] = [];
  const committed: string[] = [];
  const seenPlaintext: unknown[] = [];
  const watcher: Plugin = {
    name: 'watcher',
    afterUpdate: ({ result }) => { for (const r of result.rows) { updated.push(r.id as string); seenPlaintext.push(r.contact); } },
    afterCommit: (event) => { for (const op of event.operations) if (op.op.kind === 'update') committed.push(...op.ids); },
  };
  const db2 = createDatabase({ driver, repositories: { tickets: ticketsV2 }, plugins: [watcher, ...keys()], schemaMode: 'off' });
  await migrate(db2, { migrations: [evolve(10)] });
  const ids = created.map((c) => c.id).sort();
  // Two passes touch every row: the copies (contact, priority) and the backfill (plan).
  assert.equal([...new Set(updated)].sort(), ids);
  assert.is(updated.length, ids.length * 2);
  assert.is(committed.length, ids.length * 2);
  // Outside the encryption plugin, the rewritten rows carry the decrypted value, as for any update.
  assert.ok(seenPlaintext.every((v) => typeof v === 'string' && v.endsWith(`${s}@example.com`)));
});


test('memory driver: with row authenticators required, renaming a protected field re-encrypts and re-authenticates each row', async () => {
  const driver = memoryDriver();
  await renameUnderRowAuth(() => driver, 120, 25);
});

test('memory driver: with row authenticators required, a row tampered before the rename fails it with IntegrityError', async () => {
  const driver = memoryDriver();
  await renameRefusesTamperedRow(() => driver);
});

test('createMigration writes .mjs when asked, and refuses another extension with the folder unchanged', async () => {
  // Inside the package, so that the file's `import '@chatcore/migrate'` resolves.
  const dir = await mkdtemp(join(fileURLToPath(new URL('.', import.meta.url)), '.generated-'));
  try {
    const db = createDatabase({ driver: memoryDriver(), repositories: { tickets: ticketsV1 }, plugins: keys(), schemaMode: 'off' });
    const bad = await createMigration(db, { dir, name: 'x', extension: 'cjs' as 'js' }).catch((e: unknown) => e);
    assert.instance(bad, MigrationError);
    assert.match((bad as Error).message, /extension is ts, mjs or js \(got "cjs"\)/);
    assert.equal(await readdir(dir), []);
    const { path, id } = await createMigration(db, { dir, name: 'first', extension: 'mjs', now: new Date('2026-01-02T03:04:05Z') });
    assert.is(path, join(dir, '20260102030405_first.mjs'));
    assert.equal((await migrationStatus(db, { dir })).map((s) => [s.id, s.state]), [[id, 'pending']]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
