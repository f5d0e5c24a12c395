import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';

// The key commands through the built binary on the Firestore emulator, in a
// project of their own: the sample that checks the keys against the stored
// data is read without a descending document-id scan (the emulator has none),
// so status, rotate and health run their check as on the SQL backends.

const emulator = await useFirestoreEmulator();
const s = keyScenario('keys-fs', { firestore: { projectId: `chatcore-cli-keys-${randomBytes(4).toString('hex')}`, emulatorHost: emulator.host } });

interface Status {
  keys: Array<{ id: string; active: boolean; values: number }>;
  scanned: number;
  byRepository: Record<string, Record<string, number>>;
  keyCheck: { sampledRows: number; failed: number; keysMismatch: boolean; diagnosis?: string };
}
interface Health {
  status: string;
  components: Array<{ name: string; status: string; error?: string; details?: Record<string, unknown> }>;
}

test.before(async () => {
  // 12 users (email and ssn encrypted), 5 sealed notes: 29 values under k1.
  await s.seed([{ id: 'k1', key: s.env.K1!, active: true }]);
});

test('keys status and health: the sample is read and checks (first and last 3 users, the 5 notes)', async () => {
  s.writeConfig([{ id: 'k1', env: 'K1', active: true }]);
  const run = await s.cli(['keys', 'status', '--json']);
  assert.is(run.code, 0, show(run));
  const status = jsonOf<Status>(run);
  assert.equal(status.keys, [{ id: 'k1', active: true, values: 29 }]);
  assert.equal(status.byRepository, { users: { k1: 24 }, notes: { k1: 5 } });
  assert.equal(status.keyCheck, { sampledRows: 6 + 5, failed: 0, keysMismatch: false });
  const health = await s.cli(['health', '--json']);
  assert.is(health.code, 0, show(health));
  const enc = jsonOf<Health>(health).components.find((c) => c.name === 'encryption')!;
  assert.equal([enc.status, enc.details?.keyCheck, enc.details?.sampledRows], ['up', 'ok', 11], show(health));
});

test('other material under k1: health exits 1 with encryption down naming k1; status and rotate exit 1, nothing re-encrypted', async () => {
  s.writeConfig([{ id: 'k1', env: 'K3' }, { id: 'k2', env: 'K2', active: true }]);
  const health = await s.cli(['health', '--json']);
  assert.is(health.code, 1, show(health));
  const body = jsonOf<Health>(health);
  assert.is(body.status, 'down');
  const enc = body.components.find((c) => c.name === 'encryption')!;
  assert.is(enc.status, 'down', show(health));
  assert.match(enc.error!, /^The configured keys do not match the stored data: wrong material for key id k1 \(none of its \d+ value\(s\) decrypt\)/);
  const status = await s.cli(['keys', 'status']);
  assert.is(status.code, 1, show(status));
  assert.match(status.stdout, /^The configured keys do not match the stored data: wrong material for key id k1/);
  const rotate = await s.cli(['keys', 'rotate']);
  assert.is(rotate.code, 1, show(rotate));
  assert.match(rotate.stderr, /wrong material for key id k1.*Nothing was re-encrypted/s);
  s.writeConfig([{ id: 'k1', env: 'K1', active: true }]);
  assert.equal(jsonOf<Status>(await s.cli(['keys', 'status', '--json'])).keys, [{ id: 'k1', active: true, values: 29 }]);
});

test('keys rotate to k2: status then shows k1 at 0 and k2 at 29, keys verify passes', async () => {
  s.writeConfig([{ id: 'k1', env: 'K1' }, { id: 'k2', env: 'K2', active: true }]);
  const rotate = await s.cli(['keys', 'rotate']);
  assert.is(rotate.code, 0, show(rotate));
  const run = await s.cli(['keys', 'status', '--json']);
  assert.is(run.code, 0, show(run));
  const status = jsonOf<Status>(run);
  assert.equal(status.keys, [{ id: 'k1', active: false, values: 0 }, { id: 'k2', active: true, values: 29 }]);
  assert.equal(status.byRepository, { users: { k2: 24 }, notes: { k2: 5 } });
  assert.equal([status.keyCheck.failed, status.keyCheck.keysMismatch], [0, false]);
  const verify = await s.cli(['keys', 'verify']);
  assert.is(verify.code, 0, show(verify));
  assert.match(verify.stdout, /^Verified 17 row\(s\), 29 stored value\(s\): every value decrypts and every row authenticates\./);
});

test.after(async () => {
  s.cleanup();
  await emulator.stop();
});
test.run();
