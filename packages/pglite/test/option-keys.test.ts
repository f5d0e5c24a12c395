import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@chatcore/core';
import { pglite, type PgliteOptions } from '../src/index.js';

test('pglite() refuses an unknown option with a hint, and creates no files (data_dir would mean an in-memory database)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatcore-pglite-keys-'));
  const options = { data_dir: dir };
  try {
    pglite(options as PgliteOptions);
    assert.unreachable('data_dir was accepted');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, 'pglite.data_dir: unknown option (did you mean dataDir?)');
  }
  assert.equal(readdirSync(dir), []);
});

test.run();
