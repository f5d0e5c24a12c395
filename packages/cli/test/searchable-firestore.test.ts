import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { appFolder } from './helpers/app-folder.js';
import { jsonOf, runCli, show } from './helpers/run-cli.js';
import { searchableFlow } from './helpers/searchable-flow.js';
import * as v1 from './fixtures/searchable-v1.mjs';

// Encrypted fields made searchable, through the built binary, on the Firestore emulator in projects of their own.

const emulator = await useFirestoreEmulator();
const K1 = randomBytes(32).toString('base64');
const folder = (name: string) => {
  const project = `chatcore-cli-${name}-${randomBytes(4).toString('hex')}`;
  return { project, dir: appFolder(`chatcore-cli-${name}-fs-`, ['backend: firestore', `project_id: ${project}`, `emulator_host: ${emulator.host}`]) };
};
const flow = folder('searchable');
const refused = folder('refused-plan');

test('a refused schema plan on Firestore still writes the composite indexes (--firestore-indexes) and lists them in --json', async () => {
  const db = createDatabase({ driver: firestore({ projectId: refused.project, emulatorHost: emulator.host }), repositories: v1.repositories, plugins: [encryption({ keys: [{ id: 'k1', key: K1, active: true }] })] });
  await db.connect();
  await db.people.create({ name: 'Ada', ssn: '111-22-3333', email: 'ada@example.com' });
  await db.close();
  const file = join(refused.dir, 'firestore.indexes.json');
  const env = { K1, CHATCORE_REPOSITORIES: join(fileURLToPath(import.meta.url), '..', 'fixtures', 'searchable-v2.mjs') };
  const plan = await runCli(['schema', 'plan', '--json', '--firestore-indexes', file], { cwd: refused.dir, env, timeoutMs: 120_000 });
  assert.is(plan.code, 1, show(plan));
  const body = jsonOf<{ ok: boolean; destructive: string[]; artifacts?: { firestoreIndexes: unknown } }>(plan);
  assert.is(body.ok, false);
  assert.is(body.destructive.length, 2, show(plan));
  assert.ok(existsSync(file), show(plan));
  assert.equal(JSON.parse(readFileSync(file, 'utf8')), body.artifacts?.firestoreIndexes);
});

// Firestore keeps field names, creates nothing ahead of a write, has no NOT NULL, and refuses a blind index over
// documents whose values are all null (they lack the field, so a null test would miss them).
searchableFlow(test, flow.dir, { K1 }, () => firestore({ projectId: flow.project, emulatorHost: emulator.host }), { stored: (field) => field, createsColumns: false, notNull: false, refusesAllNull: true });

test.after(async () => {
  for (const { dir } of [flow, refused]) rmSync(dir, { recursive: true, force: true });
  await emulator.stop();
});
test.run();
