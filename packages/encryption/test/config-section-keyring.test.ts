import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import { ConfigError, createDatabase } from '@chatcore/core';
import { loadConfig } from '@chatcore/core/config';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption, MIN_PASSPHRASE_LENGTH, type EncryptionPlugin } from '../src/index.js';
import { users } from './helpers/schemas.js';

// The entries of `encryption.keys` in a stack file: a raw key, or a passphrase
// with its stored salt, checked with the rules of the top-level passphrase.

const PASSPHRASE = 'correct horse battery staple';
const SALT = 'q83vEjRWeJq83vEjRWeJqw==';
const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString('base64');
const keyring = (entries: string) => `encryption:\n  keys:\n${entries}`;

function problemsOf(yaml: string): { error: ConfigError; problems: Array<{ path: string; message: string }> } {
  try {
    loadConfig(yaml, { env: {} });
  } catch (e) {
    assert.instance(e, ConfigError);
    return { error: e as ConfigError, problems: (e as ConfigError).problems.map((p) => ({ path: p.path, message: p.message })) };
  }
  throw new assert.Assertion({ message: 'the configuration loaded', generated: false, operator: 'throws', expects: 'ConfigError', actual: 'nothing' });
}

test('a passphrase key beside a raw key loads, builds the keyring and never prints its secrets', async () => {
  const config = loadConfig(keyring(`    - id: old\n      passphrase: ${PASSPHRASE}\n      salt: ${SALT}\n    - id: new\n      key: ${KEY}\n      active: true\n`), { env: {} });
  const printed = JSON.stringify(config.encryption) + inspect(config.encryption, { depth: 5 });
  assert.not.match(printed, PASSPHRASE);
  assert.not.match(printed, SALT);
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [encryption(config.encryption!)] });
  await db.connect();
  try {
    const enc = db.plugin<EncryptionPlugin>('encryption')!;
    assert.equal([enc.keyIds(), enc.activeKeyId], [['old', 'new'], 'new']);
    const ada = await db.users.create({ name: 'Ada', email: 'ada@example.com', ssn: '123-45-6789' });
    assert.is((await db.users.get(ada.id))?.ssn, '123-45-6789');
  } finally {
    await db.close();
  }
});

test('a key with both key and passphrase is refused, naming the key id', () => {
  const { problems } = problemsOf(keyring(`    - id: k1\n      key: ${KEY}\n      passphrase: ${PASSPHRASE}\n      salt: ${SALT}\n`));
  assert.equal(problems.map((p) => p.path), ['encryption.keys[0].passphrase']);
  assert.match(problems[0]!.message, /^key k1 has both key and passphrase: they are alternatives, keep one$/);
});

test('a key with neither key nor passphrase is refused, naming the key id', () => {
  const { problems } = problemsOf(keyring(`    - id: k1\n      key: ${KEY}\n    - id: k2\n      active: true\n`));
  assert.equal(problems.map((p) => p.path), ['encryption.keys[1]']);
  assert.match(problems[0]!.message, /^key k2 has no key material: give key .* or passphrase with salt$/);
});

test('a passphrase without salt is refused at the salt, naming the key id', () => {
  const { problems } = problemsOf(keyring(`    - id: k1\n      passphrase: ${PASSPHRASE}\n`));
  assert.equal(problems.map((p) => p.path), ['encryption.keys[0].salt']);
  assert.match(problems[0]!.message, /^key k1: salt is required with passphrase/);
});

test('a passphrase shorter than the minimum is refused, naming the key id, without echoing it', () => {
  const short = 'x7#Qa'.padEnd(MIN_PASSPHRASE_LENGTH - 1, 'z');
  const { error, problems } = problemsOf(keyring(`    - id: k1\n      passphrase: ${short}\n      salt: ${SALT}\n`));
  assert.equal(problems.map((p) => p.path), ['encryption.keys[0].passphrase']);
  assert.is(problems[0]!.message, `key k1: the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
  assert.not.match(error.message, short);
});

test('a short or constant salt is refused with the top-level passphrase rule, naming the key id', () => {
  const short = problemsOf(keyring(`    - id: k1\n      passphrase: ${PASSPHRASE}\n      salt: tooShortSalt\n`));
  assert.equal(short.problems.map((p) => p.path), ['encryption.keys[0].salt']);
  assert.match(short.problems[0]!.message, /^key k1: a passphrase needs a stored salt of at least 16 bytes/);
  assert.not.match(short.error.message, 'tooShortSalt');
  const constant = problemsOf(keyring(`    - id: k1\n      passphrase: ${PASSPHRASE}\n      salt: ${Buffer.alloc(16).toString('base64')}\n`));
  assert.equal(constant.problems.map((p) => p.path), ['encryption.keys[0].salt']);
  assert.match(constant.problems[0]!.message, /^key k1: the passphrase salt .*a constant salt lets one precomputation attack every deployment/);
});

test('a salt beside a raw key is refused: it would be ignored', () => {
  const { problems } = problemsOf(keyring(`    - id: k1\n      key: ${KEY}\n      salt: ${SALT}\n`));
  assert.equal(problems.map((p) => p.path), ['encryption.keys[0].salt']);
  assert.match(problems[0]!.message, /^key k1: salt goes with passphrase only/);
});

test.run();
