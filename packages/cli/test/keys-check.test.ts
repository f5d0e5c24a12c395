import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';
import { verifyFailureText } from '../src/commands/keys-verify.js';

// Keys that do not match the stored data fail the CLI's checks: a new key
// listed first (the first key roots the blind indexes and row
// authenticators), or other material under the key id of the data.

const s = keyScenario('key-check');
const swapped = () => s.writeConfig([{ id: 'k2', env: 'K2', active: true }, { id: 'k1', env: 'K1' }]);
const wrongMaterial = () => s.writeConfig([{ id: 'k1', env: 'K3', active: true }]);
const right = () => s.writeConfig([{ id: 'k1', env: 'K1' }, { id: 'k2', env: 'K2', active: true }]);

test.before(async () => {
  await s.seed([{ id: 'k1', key: s.env.K1!, active: true }]);
});

test('a new key listed first: health reports encryption down with the cause; keys status and keys rotate exit 1', async () => {
  swapped();
  const health = await s.cli(['health']);
  assert.is(health.code, 1, show(health));
  assert.match(health.stdout, /status: down/);
  assert.match(health.stdout, /down +encryption: The configured keys do not match the stored data: no row authenticator or blind index matches the first key listed, k2, which roots them: the key order changed/);
  const status = await s.cli(['keys', 'status', '--json']);
  assert.is(status.code, 1, show(status));
  const body = jsonOf<{ keyCheck: { keysMismatch: boolean; diagnosis: string } }>(status);
  assert.ok(body.keyCheck.keysMismatch);
  assert.match(body.keyCheck.diagnosis, /key order changed/);
  const rotate = await s.cli(['keys', 'rotate']);
  assert.is(rotate.code, 1, show(rotate));
  assert.match(rotate.stderr, /do not match the stored data.*Nothing was re-encrypted/s);
  const verify = await s.cli(['keys', 'verify', '--max-findings', '3']);
  assert.is(verify.code, 1, show(verify));
  assert.match(verify.stdout, /^VERIFICATION FAILED: 12 failure\(s\) in 17 row\(s\)/);
  assert.match(verify.stdout, /key order changed/);
  assert.is(verify.stdout.split('\n').filter((l) => / fails authentication/.test(l)).length, 3);
  assert.match(verify.stdout, /\.\.\. and 9 more/);
});

test('other material under the key id: health down naming the key id; keys status exits 1 saying so', async () => {
  wrongMaterial();
  const health = jsonOf<{ status: string; components: Array<{ name: string; status: string; error?: string }> }>(await s.cli(['health', '--json']));
  assert.is(health.status, 'down');
  const enc = health.components.find((c) => c.name === 'encryption')!;
  assert.is(enc.status, 'down');
  assert.match(enc.error!, /wrong material for key id k1/);
  const status = await s.cli(['keys', 'status']);
  assert.is(status.code, 1, show(status));
  assert.match(status.stdout, /^The configured keys do not match the stored data: wrong material for key id k1/);
  const verify = jsonOf<{ ok: boolean; failed: number; keysMismatch: boolean; diagnosis: string; findings: Array<{ keyId: string }>; truncated: boolean }>(await s.cli(['keys', 'verify', '--json', '--repository', 'users']));
  assert.equal([verify.ok, verify.failed, verify.keysMismatch, verify.truncated], [false, 24, true, true]);
  assert.is(verify.findings.length, 20);
  assert.ok(verify.findings.every((f) => f.keyId === 'k1'));
  assert.match(verify.diagnosis, /wrong material for key id k1 \(none of its 24 value\(s\) decrypt\)/);
});

test('the right keys: health up, keys status exits 0', async () => {
  right();
  const health = await s.cli(['health']);
  assert.is(health.code, 0, show(health));
  assert.match(health.stdout, /up +encryption .*"keyCheck":"ok"/);
  const status = await s.cli(['keys', 'status']);
  assert.is(status.code, 0, show(status));
  const verify = await s.cli(['keys', 'verify']);
  assert.is(verify.code, 0, show(verify));
  assert.match(verify.stdout, /^Verified 17 row\(s\), 29 stored value\(s\): every value decrypts and every row authenticates\./);
});

test('keys retire verifies first: after rotating to k2, a new key listed first or wrong k2 material is refused; the right keys retire k1', async () => {
  right();
  const rotate = await s.cli(['keys', 'rotate']);
  assert.is(rotate.code, 0, show(rotate));
  swapped();
  const refused = await s.cli(['keys', 'retire', 'k1']);
  assert.is(refused.code, 1, show(refused));
  assert.match(refused.stdout, /^Refused: the stored data does not verify with the configured keys \(12 failure\(s\) in 17 row\(s\)\)\. .*key order changed.* Key k1 may still be needed: keep it and its secret/s);
  assert.not.match(refused.stdout, /protects no stored value/);
  s.writeConfig([{ id: 'k1', env: 'K1' }, { id: 'k2', env: 'K3', active: true }]);
  const wrong = jsonOf<{ retired: boolean; error: { code: string; message: string }; verify: { keysMismatch: boolean } }>(await s.cli(['keys', 'retire', 'k1', '--json']));
  assert.equal([wrong.retired, wrong.error.code, wrong.verify.keysMismatch], [false, 'VERIFY', true]);
  assert.match(wrong.error.message, /wrong material for key id k2/);
  right();
  const retired = jsonOf<{ retired: boolean; keepInConfig: boolean }>(await s.cli(['keys', 'retire', 'k1', '--json']));
  assert.equal([retired.retired, retired.keepInConfig], [true, true]);
});

test.after(() => s.cleanup());
test('keys verify names a value that is no ciphertext as not encrypted, not as failing authentication', () => {
  const lines = verifyFailureText({
    scanned: 2, values: 2, failed: 2, keysMismatch: false,
    findings: [
      { repository: 'users', id: 'u1', field: 'ssn', problem: 'not_ciphertext' },
      { repository: 'users', id: 'u2', field: 'ssn', problem: 'integrity', keyId: 'k1' },
    ],
  }, 20);
  assert.equal(lines, ['  users u1 ssn: not encrypted (no chatcore ciphertext)', '  users u2 ssn: fails authentication (key k1)']);
});

test.run();
