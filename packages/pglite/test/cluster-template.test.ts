import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { pglite, startInMemory } from '../src/index.js';
import { templateFile } from '../src/cluster-template.js';

const notes = defineRepository('notes', { id: f.id(), body: f.text(), version: f.version() });
const home = mkdtempSync(join(tmpdir(), 'chatcore-template-'));
const cacheDir = join(home, 'chatcore');
const savedXdg = process.env.XDG_CACHE_HOME;
process.env.XDG_CACHE_HOME = home;

test('pglite() keeps the template under $XDG_CACHE_HOME/chatcore; templateCache: false writes none', async () => {
  const off = pglite({ templateCache: false });
  await off.connect();
  await off.close();
  assert.not.ok(existsSync(cacheDir), 'nothing written with templateCache: false');
  const on = pglite();
  await on.connect();
  await on.close();
  assert.ok(existsSync(templateFile(cacheDir)), 'the first start saved the template');
  assert.ok(statSync(templateFile(cacheDir)).size > 1_000_000);
});

test('a start loads the template: what the template holds is there, and the database works', async () => {
  // Put a marker in the template, so that loading it is visible.
  const maker = await startInMemory(cacheDir);
  await maker.exec("create table template_marker (v text); insert into template_marker values ('from the template')");
  writeFileSync(templateFile(cacheDir), new Uint8Array(await (await maker.dumpDataDir('none')).arrayBuffer()));
  await maker.close();

  const driver = pglite({ templateCache: cacheDir });
  const db = createDatabase({ driver, repositories: { notes } });
  await db.connect();
  try {
    const { rows } = await driver.executor.execute({ sql: 'select v from template_marker', parameters: [] });
    assert.equal(rows, [{ v: 'from the template' }]);
    const note = await db.notes.create({ body: 'written after start' });
    assert.equal(await db.notes.get(note.id), note);
    await db.transaction(async (tx) => {
      await tx.notes.create({ body: 'rolled back' });
      throw new Error('undo');
    }).catch(() => undefined);
    assert.is(await db.notes.count(), 1);
  } finally {
    await db.close();
  }
});

test('a damaged template is replaced, and the start still succeeds', async () => {
  writeFileSync(templateFile(cacheDir), 'not a tar file');
  const pg = await startInMemory(cacheDir);
  try {
    assert.equal((await pg.query('select 1 as one')).rows, [{ one: 1 }]);
    assert.equal((await pg.query("select to_regclass('template_marker') as t")).rows, [{ t: null }], 'started from initdb, not the damaged file');
  } finally {
    await pg.close();
  }
  assert.ok(statSync(templateFile(cacheDir)).size > 1_000_000, 'a good template replaced the damaged one');
  assert.not.match(readFileSync(templateFile(cacheDir)).subarray(0, 14).toString(), 'not a tar file');
});

test('a cache directory that cannot be written costs only the speed-up', async () => {
  const file = join(home, 'a-file');
  writeFileSync(file, 'x');
  const pg = await startInMemory(join(file, 'cache'));
  try {
    assert.equal((await pg.query('select 1 as one')).rows, [{ one: 1 }]);
  } finally {
    await pg.close();
  }
});

test.after(() => {
  if (savedXdg === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedXdg;
  rmSync(home, { recursive: true, force: true });
});
test.run();
