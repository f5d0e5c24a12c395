import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirState } from '@chatcore/pglite';

// What a data_dir holds, for a tool that must not create a database: told apart without touching it.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-pglite-state-'));

test('a missing path and an empty folder (or one with only a stale lock) are where opening would create a database', () => {
  assert.is(dataDirState(join(dir, 'nowhere', 'data')), 'missing');
  assert.is(dataDirState(`file://${join(dir, 'nowhere')}`), 'missing');
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  assert.is(dataDirState(empty), 'empty');
  writeFileSync(join(empty, '.chatcore.lock'), '123 host\n');
  assert.is(dataDirState(empty), 'empty');
  assert.equal(readdirSync(dir).sort(), ['empty'], 'nothing was created');
});

test('a folder with files or a regular file is present (PGlite judges it when opening); other schemes are remote', () => {
  const full = join(dir, 'full');
  mkdirSync(full);
  writeFileSync(join(full, 'PG_VERSION'), '17\n');
  assert.is(dataDirState(full), 'present');
  writeFileSync(join(dir, 'a-file'), 'x');
  assert.is(dataDirState(join(dir, 'a-file')), 'present');
  assert.is(dataDirState('memory://'), 'remote');
  assert.is(dataDirState('idb://app'), 'remote');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
