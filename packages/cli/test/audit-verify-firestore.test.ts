import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase } from '@chatcore/core';
import { audit } from '@chatcore/audit';
import { encryption } from '@chatcore/encryption';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { appFolder } from './helpers/app-folder.js';
import { FIXTURE_REPOSITORIES, jsonOf, runCli, show } from './helpers/run-cli.js';

// `chatcore audit verify --from db` (the built binary) on the Firestore emulator, where the
// outbox keeps each event as JSON text: a row whose text is not JSON is a finding, not a crash.

const emulator = await useFirestoreEmulator();
const project = `chatcore-cli-audit-${randomBytes(4).toString('hex')}`;
const dir = appFolder('chatcore-cli-audit-fs-', ['backend: firestore', `project_id: ${project}`, `emulator_host: ${emulator.host}`]);
appendFileSync(join(dir, 'chatcore.yaml'), 'audit:\n  sinks:\n    outbox: true\n');
const K1 = randomBytes(32).toString('base64');
const cli = (args: string[]) => runCli(args, { cwd: dir, env: { K1, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES }, timeoutMs: 240_000 });

interface Report {
  readonly ok: boolean;
  readonly problem?: { kind: string; seq?: number; stream?: string; position: number; message: string };
  readonly error?: { code: string };
}

test('an outbox row whose event is not JSON is reported as malformed, naming its row and seq, exit 1', async () => {
  const { repositories } = (await import(FIXTURE_REPOSITORIES)) as { repositories: Record<string, never> };
  const driver = firestore({ projectId: project, emulatorHost: emulator.host });
  const db = createDatabase({ driver, repositories, plugins: [audit({ sinks: { outbox: true } }), encryption({ keys: [{ id: 'k1', key: K1, active: true }] })] });
  await db.connect();
  for (const name of ['Ada', 'Bo', 'Cy']) await (db as unknown as { users: { create(v: unknown): Promise<unknown> } }).users.create({ name, email: `${name}@example.com` });
  await db.close();
  const fs = firestore({ projectId: project, emulatorHost: emulator.host }).firestore;
  const second = (await fs.collection('audit_links').where('seq', '==', 2).get()).docs[0]!.id;
  const row = fs.collection('audit_events').doc(second);
  const original = (await row.get()).get('event') as string;

  const intact = await cli(['audit', 'verify', '--from', 'db', '--json']);
  assert.is(intact.code, 0, show(intact));
  assert.is(jsonOf<Report>(intact).ok, true, show(intact));

  for (const garbled of ['{"v":1,', '']) {
    await row.update({ event: garbled });
    const json = await cli(['audit', 'verify', '--from', 'db', '--json']);
    assert.is(json.code, 1, `${JSON.stringify(garbled)}: ${show(json)}`);
    const report = jsonOf<Report>(json);
    assert.is(report.error, undefined, show(json));
    assert.equal([report.ok, report.problem?.kind, report.problem?.seq, report.problem?.stream, report.problem?.position], [false, 'malformed', 2, 'outbox:audit_events', 2], show(json));
    assert.ok(report.problem!.message.includes(second), `names the row: ${show(json)}`);
    const text = await cli(['audit', 'verify', '--from', 'db']);
    assert.is(text.code, 1, show(text));
    assert.match(text.stdout, /^Audit trail BROKEN at seq 2 \(malformed; stream outbox:audit_events, event #2\): /, show(text));
    assert.ok(text.stdout.includes(second), show(text));
  }

  await row.update({ event: original });
  const restored = await cli(['audit', 'verify', '--from', 'db']);
  assert.is(restored.code, 0, show(restored));
  await fs.terminate();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
