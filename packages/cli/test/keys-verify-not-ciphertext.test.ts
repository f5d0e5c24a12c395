import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pglite } from '@chatcore/pglite';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';

// A value that is no ciphertext at all in an encrypted column (plaintext
// written by hand, or by an old bug) is its own finding: not an altered
// ciphertext, not a key problem. A tampered ciphertext still fails
// authentication.

const s = keyScenario('verify-not-ciphertext');
const ids: { plain?: string; tampered?: string } = {};

test.before(async () => {
  await s.seed([{ id: 'k1', key: s.env.K1!, active: true }]);
  s.writeConfig([{ id: 'k1', env: 'K1', active: true }]);
  const driver = pglite({ dataDir: s.dataDir });
  await driver.connect();
  try {
    const exec = async (sql: string, parameters: unknown[] = []) => (await driver.executor.execute({ sql, parameters })).rows as Array<Record<string, string>>;
    const [plain, tampered] = await exec('select id, ssn from users order by id limit 2');
    await exec('update users set ssn = $1 where id = $2', ['123-45-6789', plain!.id]);
    const bytes = Buffer.from(tampered!.ssn!, 'base64url');
    bytes[bytes.length - 1]! ^= 0x01;
    await exec('update users set ssn = $1 where id = $2', [bytes.toString('base64url'), tampered!.id]);
    Object.assign(ids, { plain: plain!.id, tampered: tampered!.id });
  } finally {
    await driver.close();
  }
});

test('keys verify lists the plaintext value as not encrypted and the tampered one as failing authentication, and says which is which', async () => {
  const run = await s.cli(['keys', 'verify']);
  assert.is(run.code, 1, show(run));
  const lines = run.stdout.trim().split('\n');
  assert.is(lines[0], 'VERIFICATION FAILED: 2 failure(s) in 17 row(s), 29 stored value(s).');
  assert.is(lines[1], '1 stored value(s) or row(s) fail authentication while the others check: they were altered or copied from elsewhere; restore them from a backup. '
    + '1 stored value(s) are not a chatcore ciphertext at all: plaintext or other data written into an encrypted field outside chatcore (by hand, or by an old bug), not an altered ciphertext and not a key problem. Reads of those rows fail: restore those values from a backup.');
  assert.equal(lines.slice(2).sort(), [`  users ${ids.plain} ssn: not encrypted (no chatcore ciphertext)`, `  users ${ids.tampered} ssn: fails authentication (key k1)`].sort());
  assert.not.match(run.stdout, /123-45-6789/);
});

test('keys verify --json: the same finding shape, problem not_ciphertext for the plaintext value, integrity for the tampered one', async () => {
  const run = await s.cli(['keys', 'verify', '--json']);
  assert.is(run.code, 1, show(run));
  const body = jsonOf<{ ok: boolean; failed: number; keysMismatch: boolean; diagnosis: string; findings: Array<Record<string, unknown>> }>(run);
  assert.equal([body.ok, body.failed, body.keysMismatch], [false, 2, false]);
  const byId = new Map(body.findings.map((f) => [f.id, f]));
  assert.equal(byId.get(ids.plain), { repository: 'users', id: ids.plain, field: 'ssn', problem: 'not_ciphertext' });
  assert.equal(byId.get(ids.tampered), { repository: 'users', id: ids.tampered, field: 'ssn', problem: 'integrity', keyId: 'k1' });
  assert.match(body.diagnosis, /^1 stored value\(s\) or row\(s\) fail authentication .* 1 stored value\(s\) are not a chatcore ciphertext at all: plaintext/);
});

test('--repository with a repository that has no encrypted fields is a usage error for keys verify as for keys rotate', async () => {
  for (const command of ['verify', 'rotate']) {
    const run = await s.cli(['keys', command, '--repository', 'nosuch', '--json']);
    assert.is(run.code, 2, show(run));
    const body = jsonOf<{ error: { code: string; message: string } }>(run);
    assert.is(body.error.code, 'USAGE', command);
    assert.match(body.error.message, /^Repository nosuch has no encrypted fields; protected repositories: /);
  }
});

test.after(() => s.cleanup());
test.run();
