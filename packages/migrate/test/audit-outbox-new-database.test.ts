import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { audit } from '@chatcore/audit';
import { defineMigration, migrate } from '../src/index.js';

// migrate on a new database with the audit outbox: the plugin reads its chain head at connect.

const notes = defineRepository('notes', { id: f.id(), body: f.text() });
const init = defineMigration({ id: '001_init', up() {} });

test('a new database with the audit outbox: migrate creates the outbox tables before the plugin connects', async () => {
  const client = await startInMemory(defaultTemplateCache());
  const driver = sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) });
  const db = createDatabase({ driver, repositories: { notes }, plugins: [audit({ sinks: { outbox: true } })], schemaMode: 'off' });
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const result = await migrate(db, { migrations: [init] });
    assert.equal(result.applied, ['001_init']);
    assert.ok(result.statements.includes('create table audit_chain'), result.statements.join('\n'));
    await db.notes.create({ body: 'first' });
    await db.plugin<ReturnType<typeof audit>>('audit')!.flush();
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings, []);
  } finally {
    process.off('warning', onWarning);
    await db.close();
    await client.close(); // the caller's client: the driver leaves it open
  }
});

test.run();
