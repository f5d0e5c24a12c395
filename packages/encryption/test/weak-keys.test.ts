import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { ConfigError, createDatabase } from '@chatcore/core';
import { loadConfig } from '@chatcore/core/config';
import { memoryDriver } from '@chatcore/core/driver';
import { leakedMarkers } from '@chatcore/core/testing';
import { encryption, MIN_PASSPHRASE_SALT_LENGTH, type EncryptionOptions, type KeyProvider, localKeyProvider } from '../src/index.js';
import { randomKey } from './helpers/keys.js';
import { users } from './helpers/schemas.js';

// Weak key material is refused with a ConfigError that names the problem and
// the key id, never the key: at encryption() for what can be checked from the
// configuration, at connect for what a provider resolves.

function refused(options: EncryptionOptions, problem: RegExp, secrets: string[]): void {
  let error: unknown;
  try {
    encryption(options);
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError, `expected a ConfigError matching ${problem}`);
  assert.match((error as Error).message, problem);
  assert.equal(leakedMarkers(`${(error as Error).message}\n${JSON.stringify(error)}`, secrets), []);
}

const hex = (b: Buffer) => b.toString('hex');
const b64 = (b: Buffer) => b.toString('base64');

test('an all-zero root key is refused, in base64 and in hex', () => {
  const zero = Buffer.alloc(32);
  refused({ rootKey: b64(zero) }, /Key k1 is all zero bytes/, []);
  refused({ keys: [{ id: 'z', key: hex(zero) }] }, /Key z is all zero bytes/, []);
});

test('a root key of one repeated byte, or of a short repeating pattern, is refused without echoing it', () => {
  for (const byte of [0x01, 0xa1, 0xff]) {
    const key = Buffer.alloc(32, byte);
    refused({ rootKey: b64(key) }, /Key k1 is one byte value repeated: it is not random key material/, [b64(key), hex(key)]);
  }
  const pattern = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) pattern[i] = [0xde, 0xad, 0xbe, 0xef][i % 4]!;
  refused({ keys: [{ id: 'p', key: b64(pattern) }] }, /Key p repeats a short pattern \(only 4 distinct byte values in 32\)/, [b64(pattern), hex(pattern)]);
});

test('a weak blind-index key is refused; so is a blind-index key equal to a root key, given in any encoding', () => {
  refused({ rootKey: randomKey(), blindIndex: { key: b64(Buffer.alloc(32)) } }, /Key blind index is all zero bytes/, []);
  const root = randomBytes(32);
  refused({ rootKey: b64(root), blindIndex: { key: hex(root) } }, /blind-index key is the same as root key k1/, [b64(root), hex(root)]);
  const other = randomBytes(32);
  refused({ keys: [{ id: 'old', key: b64(other) }, { id: 'new', key: b64(root), active: true }], blindIndex: { key: b64(root) } }, /same as root key new/, [b64(root), hex(root)]);
});

test('a constant or short passphrase salt is refused, consistent with MIN_PASSPHRASE_SALT_LENGTH; a random salt is accepted', () => {
  const passphrase = 'correct horse battery staple';
  refused({ passphrase, passphraseSalt: 's'.repeat(MIN_PASSPHRASE_SALT_LENGTH) }, /passphrase salt is one byte value repeated; a constant salt/, []);
  refused({ passphrase, passphraseSalt: b64(Buffer.alloc(MIN_PASSPHRASE_SALT_LENGTH)) }, /passphrase salt is all zero bytes/, []);
  refused({ passphrase, passphraseSalt: 'ab'.repeat(MIN_PASSPHRASE_SALT_LENGTH) }, /passphrase salt repeats a short pattern/, []);
  refused({ passphrase, passphraseSalt: 'x'.repeat(MIN_PASSPHRASE_SALT_LENGTH - 1) }, new RegExp(`at least ${MIN_PASSPHRASE_SALT_LENGTH} bytes`), []);
  refused({ passphrase: 'aaaaaaaaaaaaaaaa', passphraseSalt: b64(randomBytes(16)) }, /passphrase uses only 1 distinct character/, ['aaaaaaaaaaaaaaaa']);
  assert.ok(encryption({ passphrase, passphraseSalt: b64(randomBytes(MIN_PASSPHRASE_SALT_LENGTH)) }));
});

test('the YAML section is refused the same way, when the plugin is built from it', () => {
  const config = loadConfig('encryption:\n  root_key: ${K}\n', { env: { K: b64(Buffer.alloc(32, 7)) } });
  refused(config.encryption as EncryptionOptions, /Key k1 is one byte value repeated/, [b64(Buffer.alloc(32, 7))]);
});

test('at connect: a provider that resolves weak bytes, and two key ids with the same material, are refused; nothing is written', async () => {
  const zeroProvider: KeyProvider = { ...localKeyProvider(), name: 'broken-kms', unwrapKey: async () => new Uint8Array(32) };
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [encryption({ keys: [{ id: 'w', wrappedKey: b64(randomBytes(60)) }], keyProvider: zeroProvider })] });
  let error: unknown = await db.connect().catch((e: unknown) => e);
  assert.instance(error, ConfigError);
  assert.match((error as Error).message, /Key w resolved through the key provider is all zero bytes/);
  await db.close();

  const key = randomKey();
  const sameBytes: KeyProvider = { ...localKeyProvider(), name: 'one-key-kms', unwrapKey: async () => Buffer.from(key, 'base64') };
  const wrapped = (id: string) => ({ id, wrappedKey: b64(randomBytes(60)) });
  const twice = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [encryption({ keys: [wrapped('a'), { ...wrapped('b'), active: true }], keyProvider: sameBytes })] });
  error = await twice.connect().catch((e: unknown) => e);
  assert.instance(error, ConfigError);
  assert.match((error as Error).message, /Keys a and b are the same key material under two ids/);
  assert.equal(leakedMarkers((error as Error).message, [key]), []);
  await twice.close();
});

test('two raw keys with the same material are refused at encryption(), in any encoding', () => {
  const key = randomBytes(32);
  refused({ keys: [{ id: 'a', key: b64(key) }, { id: 'b', key: hex(key), active: true }] }, /Keys a and b are the same key material under two ids/, [b64(key), hex(key)]);
  refused({ keys: [{ id: 'a', key: randomKey() }, { id: 'b', key: b64(key) }, { id: 'c', key: b64(key) }], activeKeyId: 'a' }, /Keys b and c are the same key material/, [b64(key), hex(key)]);
  assert.ok(encryption({ keys: [{ id: 'a', key: randomKey() }, { id: 'b', key: b64(key) }], activeKeyId: 'b' }));
});

test('addKey refuses a key equal to one already in the ring', async () => {
  const key = randomKey();
  const enc = encryption({ rootKey: key });
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [enc] });
  await db.connect();
  try {
    const error = await enc.addKey({ id: 'k2', key }, { activate: true }).catch((e: unknown) => e);
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /Key k2 is the same key material as key k1/);
    assert.equal(enc.keyIds(), ['k1']);
    assert.is(enc.activeKeyId, 'k1');
  } finally {
    await db.close();
  }
});

test.run();
