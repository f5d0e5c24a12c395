import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHmac, randomBytes } from 'node:crypto';
import { encodeValue } from '../src/crypto/plaintext-codec.js';
import { createDatabase, ConfigError, KeyError, PluginError } from '@chatcore/core';
import { loadConfig } from '@chatcore/core/config';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption, localKeyProvider, keyringFromEnv, Keyring, type KeyProvider } from '../src/index.js';
import { KEY_A, KEY_B, highEntropy, randomKey } from './helpers/keys.js';
import { keyringOptions } from '../src/keys/keyring-options.js';
import { heldKeyMaterial } from '../src/keys/keyring.js';
import { pluginState } from '../src/encryption-plugin.js';
import { users, accounts } from './helpers/schemas.js';

/** A real local provider whose deriveKey counts its calls. */
function countingProvider(): KeyProvider & { derives: number } {
  const inner = localKeyProvider();
  const p = {
    name: 'counting',
    derives: 0,
    deriveKey(r: Parameters<KeyProvider['deriveKey']>[0]) {
      p.derives++;
      return inner.deriveKey(r);
    },
    wrapKey: inner.wrapKey,
    unwrapKey: inner.unwrapKey,
  };
  return p;
}

const salt = randomBytes(16).toString('base64');
const passphrase = 'correct horse battery staple';

test('passphrase stretching runs once per process across 1,000 operations and two databases', async () => {
  const provider = countingProvider();
  const make = () => createDatabase({
    driver: memoryDriver(),
    repositories: { users },
    plugins: [encryption({ keys: [{ id: 'pp', passphrase, salt }], keyProvider: provider })],
  });
  const db = make();
  await db.connect();
  const ids: string[] = [];
  for (let i = 0; i < 500; i++) ids.push((await db.users.create({ name: `n${i}`, email: `${i}.${highEntropy()}@kdf.io`, ssn: `s${i}` })).id);
  for (const id of ids) assert.is((await db.users.get(id))!.id, id);
  const second = make();
  await second.connect();
  await second.users.create({ name: 'x', email: 'x@kdf.io' });
  assert.is(provider.derives, 1);
  await db.close();
  await second.close();
});

test('PBKDF2 below 600,000 iterations and passphrases without a salt are refused with a fix', () => {
  assert.throws(() => encryption({ keys: [{ id: 'pp', passphrase, salt, iterations: 1000 }] }), (e: Error) => e instanceof ConfigError && /600000/.test(e.message));
  assert.throws(() => encryption({ keys: [{ id: 'pp', passphrase }] }), (e: Error) => e instanceof ConfigError && /salt/.test(e.message));
});

test('malformed keys are refused naming the key id and never echoing the value', () => {
  const short = Buffer.alloc(16, 7).toString('base64');
  for (const [keys, pattern] of [
    [[{ id: 'k1', key: short }], /k1.*16 bytes/],
    [[{ id: 'k1', key: 'not base64 at all!' }], /k1 is not base64/],
    [[{ id: 'bad id!', key: KEY_A }], /id must be/],
    [[{ id: 'k1', key: KEY_A }, { id: 'k1', key: KEY_A }], /twice/],
    [[{ id: 'k1', key: KEY_A, passphrase }], /exactly one/],
    [[], /at least one key/],
  ] as const) {
    try {
      encryption({ keys: keys as never });
      assert.unreachable(String(pattern));
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.match((e as Error).message, pattern);
      assert.not.match((e as Error).message, short);
    }
  }
});

test('several keys need one active key; the blind-index key defaults to the first', async () => {
  const keys = [{ id: 'k1', key: KEY_A }, { id: 'k2', key: KEY_B }];
  assert.throws(() => encryption({ keys }), /activeKeyId/);
  assert.throws(() => encryption({ keys, activeKeyId: 'k3' }), /k3 is not one of the keys/);
  assert.throws(() => encryption({ keys: [{ ...keys[0]!, active: true }, { ...keys[1]!, active: true }] }), /only one key/);
  const byFlag = await Keyring.load(keyringOptions({ keys: [keys[0]!, { ...keys[1]!, active: true }] }), localKeyProvider());
  assert.is(byFlag.activeKeyId, 'k2');
  const first = await Keyring.load({ keys: [keys[0]!] }, localKeyProvider());
  assert.equal(byFlag.indexKey('u', 'e').export(), first.indexKey('u', 'e').export());
  const separate = await Keyring.load(keyringOptions({ keys, activeKeyId: 'k2', blindIndex: { key: randomKey() } }), localKeyProvider());
  assert.not.equal(separate.indexKey('u', 'e').export(), first.indexKey('u', 'e').export());
});

test('the checked YAML section builds the plugin: root key in hex, passphrase with salt, keys with active', async () => {
  const yaml = [
    'database:',
    '  backend: pglite',
    'encryption:',
    '  keys:',
    '    - id: old',
    '      key: ${OLD_KEY}',
    '    - id: new',
    '      key: ${NEW_KEY}',
    '      active: true',
    '  sensitive_fields: [accounts.api_key]',
    '  blind_index:',
    '    fields: [accounts.api_key]',
  ].join('\n');
  const config = loadConfig(yaml, { env: { OLD_KEY: KEY_A, NEW_KEY: Buffer.from(KEY_B, 'base64').toString('hex') } });
  const enc = encryption(config.encryption!);
  const db = createDatabase({ driver: memoryDriver(), repositories: { accounts }, plugins: [enc] });
  await db.connect();
  assert.is(enc.activeKeyId, 'new');
  const a = await db.accounts.create({ owner: 'o', apiKey: 'sk_yaml' });
  assert.is((await db.accounts.findOne({ where: { apiKey: 'sk_yaml' } }))!.id, a.id);
  await db.close();
  const pp = encryption({ passphrase, passphraseSalt: 'a-stored-salt-of-some-length', keyId: 'pp1' });
  const db2 = createDatabase({ driver: memoryDriver(), repositories: { accounts }, plugins: [pp] });
  await db2.connect();
  assert.is(pp.activeKeyId, 'pp1');
  await db2.close();
});

test('keys come from the environment when not configured', () => {
  assert.equal(keyringFromEnv({ CHATCORE_ENCRYPTION_KEY: KEY_A }), { keys: [{ id: 'k1', key: KEY_A }] });
  assert.equal(keyringFromEnv({ CHATCORE_ENCRYPTION_PASSPHRASE: passphrase, CHATCORE_ENCRYPTION_SALT: salt, CHATCORE_ENCRYPTION_KEY_ID: 'env' }).keys[0]!.id, 'env');
  assert.throws(() => keyringFromEnv({}), (e: Error) => e instanceof ConfigError && /CHATCORE_ENCRYPTION_KEY/.test(e.message));
});

test('a wrapped data key is unwrapped by the provider; the wrong KEK fails', async () => {
  const kek = randomBytes(32).toString('base64');
  const provider = localKeyProvider({ kek });
  const dataKey = randomBytes(32);
  const wrapped = Buffer.from(await provider.wrapKey('w1', dataKey)).toString('base64');
  const ring = await Keyring.load({ keys: [{ id: 'w1', wrappedKey: wrapped }] }, provider);
  const direct = await Keyring.load({ keys: [{ id: 'w1', key: dataKey.toString('base64') }] }, provider);
  assert.equal(ring.encryptionKey('w1', 'r', 'f').export(), direct.encryptionKey('w1', 'r', 'f').export());
  const other = localKeyProvider({ kek: randomBytes(32).toString('base64') });
  try {
    await Keyring.load({ keys: [{ id: 'w1', wrappedKey: wrapped }] }, other);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /w1/);
  }
  await assert.not.throws(() => localKeyProvider());
  try {
    await localKeyProvider().unwrapKey('w1', Buffer.from(wrapped, 'base64'));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, KeyError);
  }
});

test('encryption and blind-index subkeys differ per purpose, repository and field', async () => {
  const ring = await Keyring.load({ keys: [{ id: 'k1', key: KEY_A }] }, localKeyProvider());
  const hex = (k: { export(): Buffer }) => k.export().toString('hex');
  const all = [
    hex(ring.encryptionKey('k1', 'users', 'email')), hex(ring.encryptionKey('k1', 'users', 'ssn')),
    hex(ring.encryptionKey('k1', 'admins', 'email')), hex(ring.indexKey('users', 'email')), Buffer.from(KEY_A, 'base64').toString('hex'),
  ];
  assert.is(new Set(all).size, all.length);
});

test('using the database before connect fails clearly', async () => {
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] });
  try {
    await db.users.find({});
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /connect/);
  }
});

test('retiring the active key or an unknown key is refused without scanning', async () => {
  const enc = encryption({ keys: [{ id: 'k1', key: KEY_A }] });
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [enc] });
  await db.connect();
  await db.users.create({ name: 'r', email: 'r@r.io' });
  for (const [id, pattern] of [['k1', /active key/], ['nope', /No key with id nope/]] as const) {
    try {
      await enc.retireKey(id);
      assert.unreachable(id);
    } catch (e) {
      assert.instance(e, KeyError);
      assert.match((e as Error).message, pattern);
    }
  }
  assert.equal((await enc.keyUsage()).byKey, { k1: 1 });
  await db.close();
});

test('closing the database wipes the keys held by the plugin', async () => {
  const enc = encryption({ keys: [{ id: 'k1', key: KEY_A }] });
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [enc] });
  await db.connect();
  const { ring, plans } = pluginState(enc);
  const held = heldKeyMaterial(ring!);
  const root = held.roots[0]!;
  const email = plans.get(users.schema.name)!.fields.get('email')!;
  const indexer = email.indexer!;
  const before = indexer.of(email.meta, 'ada@example.com');
  assert.is(before, createHmac('sha256', ring!.indexKey(users.schema.name, 'email')).update(encodeValue('ada@example.com', 'string')).digest().toString('base64url', 0, 16));
  assert.ok(root.some((b) => b !== 0));
  await db.close();
  assert.ok(root.every((b) => b === 0));
  assert.is(email.indexer, undefined, 'the plan drops its blind indexer');
  assert.is.not(indexer.of(email.meta, 'ada@example.com'), before, 'the blind indexer\'s HMAC pads are zeroed');
  assert.is(heldKeyMaterial(ring!).count, 0);
  assert.is(pluginState(enc).ring, undefined);
  assert.throws(() => enc.activeKeyId, /connect/);
});

test('an operation still running when the database closes fails with a PluginError naming the cause (not a TypeError on dropped keys)', async () => {
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] });
  await db.connect();
  // 3,000 rows are encrypted over three event-loop turns: close() lands between them.
  const pending = db.users.createMany(Array.from({ length: 3000 }, (_, i) => ({ name: `n${i}`, email: `${highEntropy('e')}@c.io` })));
  await new Promise((r) => setImmediate(r));
  await db.close();
  let failed: unknown;
  try { await pending; } catch (e) { failed = e; }
  assert.instance(failed, PluginError);
  assert.match((failed as Error).message, /not loaded/);
});

test('one plugin instance serves one database; blind_index.fields must name sensitive fields', () => {
  const enc = encryption({ keys: [{ id: 'k1', key: KEY_A }] });
  createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [enc] });
  assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [enc] }), /once per createDatabase/);
  assert.throws(
    () => createDatabase({ driver: memoryDriver(), repositories: { accounts }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], blindIndex: { fields: ['accounts.owner'] } })] }),
    (e: Error) => e instanceof ConfigError && /accounts\.owner/.test(e.message),
  );
});

test.run();
