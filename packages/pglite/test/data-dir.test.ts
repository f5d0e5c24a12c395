import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';
import { pglite } from '../src/index.js';

const notes = defineRepository('notes', { id: f.id(), body: f.text(), version: f.version() });
const dir = mkdtempSync(join(tmpdir(), 'chatcore-pglite-'));

test('with dataDir, data survives closing and reopening the database', async () => {
  const first = createDatabase({ driver: pglite({ dataDir: dir }), repositories: { notes } });
  await first.connect();
  const note = await first.notes.create({ body: 'kept on disk' });
  await first.close();
  const second = createDatabase({ driver: pglite({ dataDir: dir }), repositories: { notes } });
  await second.connect();
  try {
    assert.is((await second.notes.get(note.id))?.body, 'kept on disk');
  } finally {
    await second.close();
  }
});

test('a YAML configuration with backend: pglite and data_dir opens the same files', async () => {
  const db = await createStack({ config: 'database:\n  backend: pglite\n  data_dir: ${DATA}\n', env: { DATA: dir }, repositories: { notes } });
  await db.connect();
  try {
    assert.is(await db.notes.count({ body: 'kept on disk' }), 1);
  } finally {
    await db.close();
  }
});

test('close is idempotent and a closed driver refuses work with a clear error', async () => {
  const driver = pglite();
  await driver.connect();
  await driver.close();
  await driver.close();
  try {
    await driver.getByIds(notes.schema, ['x'], {});
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.match((err as Error).message, /closed/i);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
