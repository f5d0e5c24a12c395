import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase } from '@chatcore/core';
import { loadConfig } from '@chatcore/core/config';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption, MIN_PASSPHRASE_SALT_LENGTH } from '../src/index.js';
import { users } from './helpers/schemas.js';

// The `encryption` section of a stack file and the plugin apply one rule to a
// passphrase's stored salt: what loadConfig accepts, encryption() accepts.

const yaml = (salt: string) => `encryption:\n  passphrase: correct horse battery staple\n  passphrase_salt: ${salt}\n`;

test('the shortest salt the loader accepts builds a working keyring', async () => {
  const salt = 'salt-of-the-app-2026'.slice(0, MIN_PASSPHRASE_SALT_LENGTH);
  const config = loadConfig(yaml(salt), { env: {} });
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [encryption(config.encryption!)] });
  await db.connect();
  try {
    const ada = await db.users.create({ name: 'Ada', email: 'ada@example.com', ssn: '123-45-6789' });
    assert.is((await db.users.get(ada.id))?.ssn, '123-45-6789');
  } finally {
    await db.close();
  }
});

test('a salt one character shorter is refused by the loader, at its path, without echoing it', () => {
  const salt = 'q'.repeat(MIN_PASSPHRASE_SALT_LENGTH - 1);
  let error: unknown;
  try {
    loadConfig(yaml(salt), { env: {} });
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  const problems = (error as ConfigError).problems;
  assert.equal(problems.map((p) => p.path), ['encryption.passphrase_salt']);
  assert.match(problems[0]!.message, `at least ${MIN_PASSPHRASE_SALT_LENGTH} bytes`);
  assert.not.match((error as Error).message, salt);
});

test('a root key that does not decode to 32 bytes is refused by the loader with the plugin\'s own message', () => {
  const short = Buffer.alloc(16, 7).toString('base64');
  let error: unknown;
  try {
    loadConfig(`encryption:\n  root_key: ${short}\n`, { env: {} });
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  assert.equal((error as ConfigError).problems.map((p) => p.path), ['encryption.root_key']);
  assert.match((error as ConfigError).problems[0]!.message, /decodes to 16 bytes; AES-256 needs exactly 32/);
  assert.throws(() => encryption({ rootKey: short }), (e: unknown) => e instanceof ConfigError && /decodes to 16 bytes; AES-256 needs exactly 32/.test(e.message));
});

test('a single key without active: true is the active key, as in code; with two keys one must be marked', async () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString('base64');
  const config = loadConfig(`encryption:\n  keys:\n    - id: only\n      key: ${key}\n`, { env: {} });
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [encryption(config.encryption!)] });
  await db.connect();
  try {
    assert.is(db.plugin<ReturnType<typeof encryption>>('encryption')!.activeKeyId, 'only');
    const ada = await db.users.create({ name: 'Ada', email: 'ada@example.com', ssn: '123-45-6789' });
    assert.is((await db.users.get(ada.id))?.ssn, '123-45-6789');
  } finally {
    await db.close();
  }
  const other = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 11 + 3)).toString('base64');
  assert.throws(
    () => loadConfig(`encryption:\n  keys:\n    - id: a\n      key: ${key}\n    - id: b\n      key: ${other}\n`, { env: {} }),
    (e: unknown) => e instanceof ConfigError && /exactly one key must be active: true \(found 0\)/.test(e.message),
  );
});

test('a key of the wrong length in keys is refused at its path, naming its key id', () => {
  const good = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString('base64');
  const short = Buffer.from(Array.from({ length: 16 }, (_, i) => i * 5 + 2)).toString('base64');
  let error: unknown;
  try {
    loadConfig(`encryption:\n  keys:\n    - id: k1\n      key: ${good}\n    - id: k2\n      key: ${good.replace(/^./, 'Z')}\n      active: true\n    - id: k3\n      key: ${short}\n`, { env: {} });
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  const problems = (error as ConfigError).problems;
  assert.equal(problems.map((p) => p.path), ['encryption.keys[2].key']);
  assert.match(problems[0]!.message, /^key k3 decodes to 16 bytes; AES-256 needs exactly 32/);
  assert.not.match((error as Error).message, short);
});

test('the plugin refuses the same short salt when given in code', () => {
  assert.throws(
    () => encryption({ passphrase: 'correct horse battery staple', passphraseSalt: 'q'.repeat(MIN_PASSPHRASE_SALT_LENGTH - 1) }),
    (e: unknown) => e instanceof ConfigError && e.message.includes(`at least ${MIN_PASSPHRASE_SALT_LENGTH} bytes`),
  );
});

test.run();
