import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase } from '@chatcore/core';
import { loadConfig } from '@chatcore/core/config';
import { pglite } from '@chatcore/pglite';
import { encryption } from '@chatcore/encryption';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';
import { repositories } from './fixtures/protected-repositories.mjs';

// Rotating away from `passphrase` + `passphrase_salt` through the CLI alone:
// keys add prints the keyring that replaces them, the operator writes it,
// rotate re-encrypts, and the old passphrase key can be retired.

const PASSPHRASE = 'correct horse battery staple, twice';
const SALT = 'q83vEjRWeJq83vEjRWeJqw==';

function passphraseScenario(name: string, options: { keyId?: string; blindIndex?: boolean }) {
  const s = keyScenario(name);
  Object.assign(s.env, { PASSPHRASE, SALT });
  const bidx = options.blindIndex ? '  blind_index:\n    key: ${BIDX}\n' : '';
  const write = (encryption: string) =>
    writeFileSync(join(s.dir, 'chatcore.yaml'), `database:\n  backend: pglite\n  data_dir: ${s.dataDir}\nencryption:\n${encryption}${bidx}`);
  const oldId = options.keyId ?? 'k1';
  const seed = () => s.seed([{ id: oldId, passphrase: PASSPHRASE, salt: SALT }], options.blindIndex ? { blindIndexKey: s.env.BIDX! } : {});
  const passphraseConfig = () => write(`  passphrase: \${PASSPHRASE}\n  passphrase_salt: \${SALT}\n${options.keyId ? `  key_id: ${options.keyId}\n` : ''}`);
  return { s, write, oldId, seed, passphraseConfig };
}

/** Every row of both repositories reads, and a user is found through the blind index, with the file as it is now. */
async function readBack(s: ReturnType<typeof keyScenario>): Promise<void> {
  const config = loadConfig(readFileSync(join(s.dir, 'chatcore.yaml'), 'utf8'), { env: s.env });
  const db = createDatabase({ driver: pglite({ dataDir: s.dataDir }), repositories, plugins: [encryption(config.encryption!)], schemaMode: 'off' });
  await db.connect();
  try {
    const users = await db.users.find({ limit: 100 });
    assert.is(users.length, 12);
    assert.equal(users.map((u) => u.ssn).sort(), Array.from({ length: 12 }, (_, i) => `ssn-${i}`).sort());
    assert.is((await db.users.findOne({ where: { email: 'u3@example.org' } }))?.ssn, 'ssn-3');
    assert.equal((await db.notes.find({ limit: 100 })).map((n) => n.body).sort(), ['body 0', 'body 1', 'body 2', 'body 3', 'body 4']);
  } finally {
    await db.close();
  }
}

/** keys add --activate on the passphrase file, then the printed keyring written as told. */
async function addAndWrite(p: ReturnType<typeof passphraseScenario>, newId: string): Promise<string> {
  const { s, oldId } = p;
  const run = await s.cli(['keys', 'add', '--id', newId, '--activate']);
  assert.is(run.code, 0, show(run));
  const replaced = p.oldId === 'k1' ? 'passphrase and passphrase_salt' : 'passphrase, passphrase_salt and key_id';
  assert.match(run.stdout, `sets encryption.passphrase: replace ${replaced} with this keyring, the current key first`);
  assert.not.match(run.stdout, PASSPHRASE);
  const json = jsonOf<{ yaml: string; key: string; env: string }>(await s.cli(['keys', 'add', '--id', newId, '--activate', '--json']));
  assert.is(json.yaml, [
    '  keys:',
    `    - id: ${oldId}`,
    '      passphrase: <the value passphrase has now>',
    '      salt: <the value passphrase_salt has now>',
    `    - id: ${newId}`,
    `      key: \${${json.env}}`,
    '      active: true',
  ].join('\n'));
  // The operator puts the references the file had in place of the placeholders.
  p.write(json.yaml.replace('<the value passphrase has now>', '${PASSPHRASE}').replace('<the value passphrase_salt has now>', '${SALT}') + '\n');
  s.env[json.env] = json.key;
  return json.env;
}

test('passphrase file: add, write the printed keyring, rotate, verify, read back, retire the passphrase key (kept first)', async () => {
  const p = passphraseScenario('keys-add-passphrase', { keyId: 'p2024' });
  try {
    await p.seed();
    p.passphraseConfig();
    const before = await p.s.cli(['keys', 'verify']);
    assert.is(before.code, 0, show(before));

    // Without --activate the passphrase key stays active, so the printed keyring loads as it is.
    const inactive = jsonOf<{ yaml: string }>(await p.s.cli(['keys', 'add', '--id', 'k2027', '--json']));
    assert.match(inactive.yaml, /^ {2}keys:\n {4}- id: p2024\n(.*\n){2} {6}active: true\n {4}- id: k2027\n {6}key: \S+$/);
    const loaded = loadConfig(`encryption:\n${inactive.yaml.replace(/<the value passphrase has now>/, PASSPHRASE).replace(/<the value passphrase_salt has now>/, SALT)}\n`, { env: { CHATCORE_KEY_K2027: p.s.env.K2! } });
    assert.equal(loaded.encryption!.keys!.map((k) => [k.id, k.active]), [['p2024', true], ['k2027', false]]);

    await addAndWrite(p, 'k2027');
    const rotate = await p.s.cli(['keys', 'rotate']);
    assert.is(rotate.code, 0, show(rotate));
    assert.match(rotate.stdout, /Re-encrypted under k2027/);
    const verify = await p.s.cli(['keys', 'verify']);
    assert.is(verify.code, 0, show(verify));
    assert.match(verify.stdout, /every value decrypts and every row authenticates/);
    const status = jsonOf<{ activeKeyId: string; keys: Array<{ id: string; values: number }> }>(await p.s.cli(['keys', 'status', '--json']));
    assert.equal([status.activeKeyId, status.keys], ['k2027', [{ id: 'p2024', active: false, values: 0 }, { id: 'k2027', active: true, values: 29 }]]);
    await readBack(p.s);

    // No value is under p2024 any more; it still roots the blind indexes and row authenticators.
    const retire = jsonOf<{ retired: boolean; keepInConfig: boolean }>(await p.s.cli(['keys', 'retire', 'p2024', '--json']));
    assert.equal([retire.retired, retire.keepInConfig], [true, true]);
    await readBack(p.s);
  } finally {
    p.s.cleanup();
  }
});

test('with blind_index.key the retired passphrase key leaves the file, and the data reads without it', async () => {
  const p = passphraseScenario('keys-add-passphrase-bidx', { blindIndex: true });
  try {
    await p.seed();
    p.passphraseConfig();
    const env = await addAndWrite(p, 'k2');
    assert.is((await p.s.cli(['keys', 'rotate'])).code, 0);
    const retire = await p.s.cli(['keys', 'retire', 'k1']);
    assert.is(retire.code, 0, show(retire));
    assert.match(retire.stdout, /Remove it from encryption\.keys in chatcore\.yaml/);

    p.write(`  keys:\n    - id: k2\n      key: \${${env}}\n`);
    delete p.s.env.PASSPHRASE;
    delete p.s.env.SALT;
    const verify = await p.s.cli(['keys', 'verify']);
    assert.is(verify.code, 0, show(verify));
    await readBack(p.s);
  } finally {
    p.s.cleanup();
  }
});

test.run();
