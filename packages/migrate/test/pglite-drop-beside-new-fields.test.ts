import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { pglite } from '@chatcore/pglite';
import { defineMigration, migrate } from '../src/index.js';
import { KEY } from './helpers/tickets.js';

// A migration of a repository with row authenticators that drops a plain field
// and, in the same migration, adds or renames others: the drop check runs
// before any step, when the new columns do not exist yet, and must not read them.

const plugins = () => [encryption({ keys: [{ id: 'k1', key: KEY }] })];
const V1 = defineRepository('users', {
  id: f.id(),
  name: f.string(),
  email: f.string().sensitive({ searchable: true }),
  tokens: f.integer().optional(),
  nick: f.string().optional(),
  conversationCount: f.integer({ min: 0 }).default(0),
  version: f.version(),
});

async function seeded(dataDir: string): Promise<string[]> {
  const db = createDatabase({ driver: pglite({ dataDir }), repositories: { users: V1 }, plugins: plugins() });
  await db.connect();
  const rows = await db.users.createMany(Array.from({ length: 4 }, (_, i) => ({ name: `u${i}`, email: `u${i}@x`, tokens: i, nick: `n${i}`, conversationCount: i * 60 })));
  await db.close();
  return rows.map((r) => r.id);
}

test('a renamed encrypted field, a dropped counter and a new required field apply in one migration', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatcore-drop-beside-'));
  const ids = await seeded(dataDir);
  const V2 = defineRepository('users', {
    id: f.id(), name: f.string(), contact: f.string().sensitive({ searchable: true }), nick: f.string().optional(),
    conversationCount: f.integer({ min: 0 }).default(0), plan: f.enum(['free', 'pro']), version: f.version(),
  });
  const step = defineMigration({
    id: '001_contact',
    up(m) {
      m.renameField('users', 'email', 'contact');
      m.dropField('users', 'tokens');
      m.addField('users', 'plan');
      m.backfill<typeof V2>('users', { batchSize: 2 }, (row) => ({ plan: row.conversationCount > 100 ? 'pro' : 'free' }));
    },
  });
  const db = createDatabase({ driver: pglite({ dataDir }), repositories: { users: V2 }, plugins: plugins(), schemaMode: 'off' });
  try {
    assert.equal((await migrate(db, { migrations: [step] })).applied, ['001_contact']);
    assert.equal((await db.users.getMany(ids)).map((u) => [u.contact, u.plan]), [['u0@x', 'free'], ['u1@x', 'free'], ['u2@x', 'pro'], ['u3@x', 'pro']]);
    assert.is((await db.users.findOne({ where: { contact: 'u2@x' } }))?.id, ids[2]);
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a dropped plain text field beside a new required field applies, and rows read and update', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatcore-drop-beside-'));
  const ids = await seeded(dataDir);
  const V2 = defineRepository('users', {
    id: f.id(), name: f.string(), email: f.string().sensitive({ searchable: true }), tokens: f.integer().optional(),
    conversationCount: f.integer({ min: 0 }).default(0), plan: f.enum(['free', 'pro']), version: f.version(),
  });
  const step = defineMigration({
    id: '001_plan',
    up(m) {
      m.dropField('users', 'nick');
      m.addField('users', 'plan');
      m.backfill<typeof V2>('users', {}, () => ({ plan: 'free' }));
    },
  });
  const db = createDatabase({ driver: pglite({ dataDir }), repositories: { users: V2 }, plugins: plugins(), schemaMode: 'off' });
  try {
    assert.equal((await migrate(db, { migrations: [step] })).applied, ['001_plan']);
    assert.equal((await db.users.getMany(ids)).map((u) => [u.email, u.plan, u.tokens]), [['u0@x', 'free', 0], ['u1@x', 'free', 1], ['u2@x', 'free', 2], ['u3@x', 'free', 3]]);
    assert.is((await db.users.update(ids[0]!, { name: 'z' })).name, 'z');
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
