import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';

// `keys add` on a file that sets encryption.root_key: the printed entry must be
// something the operator can write, and the file it gives must read the data.

const s = keyScenario('keys-add-root-key');
const rootKeyConfig = (encryption: string) =>
  writeFileSync(join(s.dir, 'chatcore.yaml'), `database:\n  backend: pglite\n  data_dir: ${s.dataDir}\nencryption:\n${encryption}`);

test.before(async () => {
  await s.seed([{ id: 'k7', key: s.env.K1!, active: true }]);
});
test.after(() => s.cleanup());

test('keys add with root_key prints the keyring that replaces it, and that keyring reads every stored value', async () => {
  rootKeyConfig('  root_key: ${K1}\n  key_id: k7\n');
  const run = await s.cli(['keys', 'add', '--id', 'k8', '--activate']);
  assert.is(run.code, 0, show(run));
  assert.match(run.stdout, /sets encryption\.root_key: replace root_key and key_id with this keyring/);
  assert.not.match(run.stdout, /remove active: true from the previous key/);
  const json = jsonOf<{ yaml: string; key: string }>(await s.cli(['keys', 'add', '--id', 'k8', '--activate', '--json']));
  assert.match(json.yaml, /^ {2}keys:\n {4}- id: k7\n {6}key: <the value root_key has now>\n {4}- id: k8\n {6}key: \$\{CHATCORE_KEY_K8\}\n {6}active: true$/);
  // Follow the instructions: the placeholder becomes the root key's variable.
  rootKeyConfig(json.yaml.replace('<the value root_key has now>', '${K1}') + '\n');
  s.env.CHATCORE_KEY_K8 = json.key;
  const ok = await s.cli(['keys', 'verify']);
  assert.is(ok.code, 0, show(ok));
  assert.match(ok.stdout, /every value decrypts and every row authenticates/);
  const status = jsonOf<{ activeKeyId: string; keys: Array<{ id: string; values: number }> }>(await s.cli(['keys', 'status', '--json']));
  assert.is(status.activeKeyId, 'k8');
  assert.ok(status.keys.find((k) => k.id === 'k7')!.values > 0);
});

test.run();
