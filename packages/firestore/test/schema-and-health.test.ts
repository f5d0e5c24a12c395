import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ConnectionError, TimeoutError, TransactionError, UnsupportedQueryError, DriverError } from '@chatcore/core';
import { getBackend } from '@chatcore/core/config';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver } from './helpers/emulator.js';
import { testRepositories } from './helpers/schemas.js';
import { firestore, FirestoreDriver, type FirestoreIndexFile } from '../src/index.js';
import { mapError } from '../src/error-map.js';

const emulator = await useFirestoreEmulator();
const repos = testRepositories();
const driver = testDriver(emulator);

test('ensureSchema lists the composite indexes in firestore.indexes.json form and creates nothing', async () => {
  const report = await driver.ensureSchema([repos.users.schema, repos.messages.schema], { mode: 'apply' });
  assert.equal(report.applied, []);
  const file = report.artifacts!.firestoreIndexes as FirestoreIndexFile;
  assert.equal(file.fieldOverrides, []);
  const table = repos.messages.schema.table;
  const shape = (i: FirestoreIndexFile['indexes'][number]) => `${i.collectionGroup}:${i.fields.map((x) => `${x.fieldPath}:${x.order}`).join(',')}`;
  const shapes = file.indexes.map(shape);
  assert.ok(shapes.includes(`${table}:conversationId:ASCENDING,createdAt:DESCENDING,__name__:DESCENDING`), 'chat history, newest first');
  assert.ok(shapes.includes(`${table}:conversationId:ASCENDING,createdAt:ASCENDING,__name__:ASCENDING`));
  assert.ok(file.indexes.every((i) => i.queryScope === 'COLLECTION'));
  assert.ok(report.notes!.some((n) => n.includes(`${repos.users.schema.table}__unique`)), 'notes name the unique lock collection');
  const verify = await driver.ensureSchema([repos.messages.schema], { mode: 'verify' });
  assert.equal(verify.applied, []);
});

/**
 * The first call of a new client on a just-started emulator (gRPC channel,
 * the emulator's JVM warming up) took 1.7 s on an idle 2-core machine and
 * 3.7 s with four busy loops, and goes past health's own 5 s budget under
 * more load. Warm both up with a plain read, which has the SDK's long
 * deadlines, so that the health tests below test health, not start-up.
 */
async function warmUp(d: FirestoreDriver): Promise<void> {
  await d.firestore.collection('chatcore_health').doc('warm-up').get();
}

test('health does a cheap read and reports its latency', async () => {
  await warmUp(driver);
  const h = await driver.health();
  assert.is(h.status, 'up');
  assert.equal(h.components.map((x) => `${x.name}:${x.status}`), ['firestore:up', 'breaker:up']);
  assert.is(h.components[1]!.details?.state, 'closed');
  const [c] = h.components;
  assert.is(c!.name, 'firestore');
  assert.is(c!.status, 'up');
  assert.is(c!.error, undefined);
  assert.match(String(c!.details?.projectId), /^chatcore-test-/);
  assert.ok(Number.isFinite(c!.latencyMs) && c!.latencyMs! >= 0, `latency ${c!.latencyMs}`);
});

test('options are checked: missing projectId and bad caps raise ConfigError', () => {
  assert.throws(() => firestore({} as never), (e: unknown) => e instanceof ConfigError && /projectId/.test((e as Error).message));
  assert.throws(() => firestore({ projectId: 'p', maxBatchOps: 0 }), (e: unknown) => e instanceof ConfigError && /maxBatchOps/.test((e as Error).message));
  assert.throws(() => firestore({ projectId: 'p', emulatorHost: 'nohost' }), (e: unknown) => e instanceof ConfigError);
});

test('importing the package registers the firestore backend for configuration files', async () => {
  const d = await getBackend('firestore')({ backend: 'firestore', projectId: 'from-config', emulatorHost: emulator.host } as never);
  assert.instance(d, FirestoreDriver);
  await warmUp(d as FirestoreDriver);
  const h = await d.health();
  assert.is(h.status, 'up');
  assert.is(h.components[0]!.details?.projectId, 'from-config');
  await d.close();
});

test('SDK errors map to typed errors by gRPC status', () => {
  const sdk = (code: number, message = 'x') => Object.assign(new Error(message), { code });
  assert.instance(mapError(sdk(14), 'q'), ConnectionError);
  assert.instance(mapError(sdk(4), 'q'), TimeoutError);
  assert.instance(mapError(sdk(16), 'q'), ConnectionError);
  assert.instance(mapError(sdk(10), 'q'), TransactionError, 'ABORTED after the retries');
  assert.instance(mapError(sdk(9, 'The query requires an index'), 'q'), UnsupportedQueryError);
  assert.instance(mapError(sdk(13), 'q'), DriverError);
  const own = new Error('mine');
  assert.is(mapError(own, 'q'), own, 'errors that are not from the backend pass through');
});

test('health reports down when nothing answers', async () => {
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  delete process.env.FIRESTORE_EMULATOR_HOST;
  const dead = firestore({ projectId: 'nobody', emulatorHost: '127.0.0.1:9' });
  try {
    const started = Date.now();
    const h = await dead.health();
    assert.is(h.status, 'down');
    assert.ok(Date.now() - started < 15_000, 'health answers without waiting for the SDK retries');
  } finally {
    await dead.close();
    process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
});

test.after(async () => {
  await driver.close();
  await emulator.stop();
});
test.run();
