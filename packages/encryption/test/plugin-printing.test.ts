import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { loadConfig, SecretValue } from '@chatcore/core/config';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import { leakedMarkers } from '@chatcore/core/testing';
import { pglite } from '@chatcore/pglite';
import { encryption, type EncryptionOptions, type EncryptionPlugin } from '../src/index.js';

// Every form key material can take when printed: the configured text, the
// raw bytes in hex (plain, and spaced as util.inspect prints a Buffer), and
// the HKDF subkeys derived from it (what the plugin holds after connect).

const tag = randomBytes(3).toString('hex');
const people = defineRepository('people', { id: f.id(), name: f.string(), email: f.string().sensitive({ searchable: true }), ssn: f.string().optional().sensitive() }, { table: `printing_people_${tag}` });

function byteForms(bytes: Buffer): string[] {
  const hex = bytes.toString('hex');
  // util.inspect prints `<Buffer 94 56 12 ...>`: the first 8 bytes spaced are enough to recognise it.
  return [hex, bytes.subarray(0, 8).toString('hex').match(/../g)!.join(' ')];
}

function subkeys(root: Buffer, purpose: 'enc' | 'bidx', fields: string[]): Buffer[] {
  return fields.map((field) => Buffer.from(hkdfSync('sha256', root, Buffer.from('chatcore/v1'), Buffer.from(`${purpose}\0people\0${field}`), 32)));
}

interface Case {
  readonly name: string;
  readonly options: () => EncryptionOptions;
  readonly markers: string[];
}

function rawKeyCase(): Case {
  const root = randomBytes(32);
  const index = randomBytes(32);
  const markers = [root.toString('base64'), index.toString('base64'), ...byteForms(root), ...byteForms(index)];
  for (const k of [...subkeys(root, 'enc', ['email', 'ssn']), ...subkeys(index, 'bidx', ['email'])]) markers.push(...byteForms(k));
  return { name: 'root key and blind-index key, plain strings', options: () => ({ rootKey: root.toString('base64'), blindIndex: { key: index.toString('hex') } }), markers };
}

function passphraseCase(secret: boolean): Case {
  const passphrase = `pass-${randomBytes(12).toString('hex')}`;
  const salt = randomBytes(16).toString('base64');
  const root = pbkdf2Sync(passphrase, Buffer.from(salt, 'base64'), 600_000, 32, 'sha256');
  const markers = [passphrase, salt, ...byteForms(root)];
  for (const k of [...subkeys(root, 'enc', ['email', 'ssn']), ...subkeys(root, 'bidx', ['email'])]) markers.push(...byteForms(k));
  const wrap = (v: string) => (secret ? new SecretValue(v) : v);
  return { name: `passphrase and salt${secret ? ' as SecretValues' : ''}`, options: () => ({ keys: [{ id: 'pp', passphrase: wrap(passphrase), salt: wrap(salt) }] }), markers };
}

function yamlCase(): Case {
  const root = randomBytes(32);
  const index = randomBytes(32);
  const markers = [root.toString('base64'), index.toString('base64'), ...byteForms(root), ...byteForms(index)];
  const yaml = 'encryption:\n  root_key: ${ROOT}\n  blind_index: { key: "${INDEX}" }\n';
  return { name: 'a loaded YAML section', options: () => loadConfig(yaml, { env: { ROOT: root.toString('base64'), INDEX: index.toString('base64') } }).encryption as EncryptionOptions, markers };
}

const cases = [rawKeyCase(), passphraseCase(false), passphraseCase(true), yamlCase()];

async function printsNothing(backend: string, driver: () => Driver): Promise<void> {
  for (const c of cases) {
    const options = c.options();
    const enc = encryption(options);
    const db = createDatabase({ driver: driver(), repositories: { people }, plugins: [enc] });
    const check = (when: string) => {
      for (const [what, subject] of [['plugin', enc], ['options', options], ['database', db], ['db.plugin()', db.plugin<EncryptionPlugin>('encryption')]] as const) {
        assert.equal(leakedMarkers(subject, c.markers), [], `${backend}, ${c.name}: ${what} ${when}`);
        assert.equal(leakedMarkers(String(subject), c.markers), [], `${backend}, ${c.name}: String(${what}) ${when}`);
        assert.equal(leakedMarkers(inspect(subject, { showHidden: true, depth: Infinity }), c.markers), [], `${backend}, ${c.name}: inspect(${what}, showHidden) ${when}`);
      }
    };
    check('before connect');
    await db.connect();
    try {
      const ada = await db.people.create({ name: 'ada', email: `ada-${tag}@example.com`, ssn: '123-45-6789' });
      assert.is((await db.people.findOne({ where: { email: ada.email } }))?.ssn, '123-45-6789');
      check('while connected');
      // The plugin's summary says what it is, without keys.
      assert.equal(JSON.parse(JSON.stringify(enc)), { plugin: 'encryption', connected: true, activeKeyId: enc.activeKeyId, keyIds: enc.keyIds(), repositories: ['people'] });
      await db.people.deleteMany({});
    } finally {
      await db.close();
    }
    check('after close');
    assert.is(JSON.parse(JSON.stringify(enc)).connected, false);
  }
}

test('memory: the plugin, its options and the database print no key material, before, during and after use', async () => {
  await printsNothing('memory', () => memoryDriver());
});

test('PGlite: the plugin, its options and the database print no key material, before, during and after use', async () => {
  const driver = pglite();
  // One PGlite instance for every case (each start takes seconds); the driver is closed with the last database only.
  let n = 0;
  await printsNothing('pglite', () => (++n < cases.length ? new Proxy(driver, { get: (t, p, r) => (p === 'close' ? async () => undefined : Reflect.get(t, p, r)) }) : driver));
});

test('a key given as a SecretValue reads what the same key as a plain string wrote; the plain options still read as given', async () => {
  const root = randomBytes(32).toString('base64');
  const options = { rootKey: root };
  const driver = memoryDriver();
  const keep = new Proxy(driver, { get: (t, p, r) => (p === 'close' ? async () => undefined : Reflect.get(t, p, r)) });
  const a = createDatabase({ driver: keep, repositories: { people }, plugins: [encryption(options)] });
  await a.connect();
  const row = await a.people.create({ name: 'x', email: 'x@example.com', ssn: 's-1' });
  await a.close();
  assert.is(options.rootKey, root);
  assert.equal(JSON.parse(JSON.stringify(options)), { rootKey: '[redacted]' });
  const b = createDatabase({ driver, repositories: { people }, plugins: [encryption({ rootKey: new SecretValue(root) })] });
  await b.connect();
  try {
    assert.is((await b.people.findOne({ where: { email: 'x@example.com' } }))?.id, row.id);
    assert.is((await b.people.get(row.id))?.ssn, 's-1');
  } finally {
    await b.close();
  }
});

test.run();
