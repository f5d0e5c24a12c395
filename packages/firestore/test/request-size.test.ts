import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatcoreError, ConnectionError, createDatabase, defineRepository, f, UnsupportedQueryError } from '@chatcore/core';
import { isRequestTooLarge } from '@chatcore/core/driver';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { resolveOptions } from '../src/firestore-options.js';
import { mapError } from '../src/error-map.js';
import { MAX_REQUEST_BYTES } from '../src/document-rules.js';
import { EMULATOR_MAX_REQUEST_BYTES } from '../src/request-size.js';
import { testDriver, suffix } from './helpers/emulator.js';

// Requests over the backend's size limit: 10 MiB on Firestore, 4 MiB on the emulator's gRPC server.
const emulator = await useFirestoreEmulator();
const docs = defineRepository('docs', { id: f.id(), body: f.text(), n: f.integer() }, { table: `reqsize_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator, { callTimeout: '20s' }), repositories: { docs } });
await db.connect();
const MB = 'x'.repeat(1_000_000);
const bigRows = (n: number, tag: number) => Array.from({ length: n }, () => ({ body: MB, n: tag }));

async function failure(fn: () => Promise<unknown>): Promise<ChatcoreError> {
  try {
    await fn();
  } catch (error) {
    assert.instance(error, ChatcoreError);
    return error as ChatcoreError;
  }
  assert.unreachable('expected the call to fail');
  throw new Error('unreachable');
}

function withoutEmulatorVariable<T>(fn: () => T): T {
  const env = process.env.FIRESTORE_EMULATOR_HOST;
  delete process.env.FIRESTORE_EMULATOR_HOST;
  try {
    return fn();
  } finally {
    if (env !== undefined) process.env.FIRESTORE_EMULATOR_HOST = env;
  }
}

test('the default maxBatchBytes stays under the emulator cap when the driver targets it', () => {
  const onEmulator = resolveOptions({ projectId: 'p', emulatorHost: '127.0.0.1:8080' });
  assert.is(onEmulator.maxRequestBytes, EMULATOR_MAX_REQUEST_BYTES);
  assert.ok(onEmulator.maxBatchBytes < EMULATOR_MAX_REQUEST_BYTES, `maxBatchBytes ${onEmulator.maxBatchBytes}`);
  const byVariable = withoutEmulatorVariable(() => {
    process.env.FIRESTORE_EMULATOR_HOST = '127.0.0.1:8080';
    return resolveOptions({ projectId: 'p' });
  });
  assert.is(byVariable.maxBatchBytes, onEmulator.maxBatchBytes, 'FIRESTORE_EMULATOR_HOST counts too');
  const production = withoutEmulatorVariable(() => resolveOptions({ projectId: 'p' }));
  assert.is(production.maxRequestBytes, MAX_REQUEST_BYTES);
  assert.is(production.maxBatchBytes, Math.floor(9.5 * 1_048_576));
  assert.is(resolveOptions({ projectId: 'p', emulatorHost: '127.0.0.1:8080', maxBatchBytes: 2_000_000 }).maxBatchBytes, 2_000_000, 'an explicit value wins');
});

test('createMany of 5 records of 1 MB succeeds on the emulator with the default maxBatchBytes', async () => {
  const made = await db.docs.createMany(bigRows(5, 1));
  assert.is(made.length, 5);
  assert.is(await db.docs.count({ n: 1 }), 5);
});

test('a batch the backend refuses for its size fails with UnsupportedQueryError naming maxBatchBytes, not as quota', async () => {
  const oversized = createDatabase({ driver: testDriver(emulator, { maxBatchBytes: MAX_REQUEST_BYTES }), repositories: { docs } });
  await oversized.connect();
  try {
    const error = await failure(() => oversized.docs.createMany(bigRows(5, 2)));
    assert.instance(error, UnsupportedQueryError);
    assert.is(error.code, 'UNSUPPORTED_QUERY');
    assert.match(error.message, /too large/);
    assert.match(error.message, /maxBatchBytes/);
    assert.is(error.info?.limit, 'requestBytes');
    assert.ok(isRequestTooLarge(error), 'the size refusal of the driver contract');
    assert.not.ok(error.info?.transient, 'not transient');
    assert.is(await db.docs.count({ n: 2 }), 0, 'nothing written');
  } finally {
    await oversized.close();
  }
});

test('RESOURCE_EXHAUSTED for quota is still a ConnectionError', () => {
  const sdk = (message: string) => Object.assign(new Error(message), { code: 8 });
  assert.instance(mapError(sdk('8 RESOURCE_EXHAUSTED: Quota exceeded.'), 'q'), ConnectionError);
  const tooLarge = mapError(sdk('8 RESOURCE_EXHAUSTED: gRPC message exceeds maximum size 4194304: 5000837'), 'docs.insert');
  assert.instance(tooLarge, UnsupportedQueryError);
  assert.ok(isRequestTooLarge(tooLarge));
});

test('a transaction whose writes exceed the request limit is refused before commit, with nothing written', async () => {
  const started = Date.now();
  const error = await failure(() => db.transaction(async (tx) => {
    for (let i = 0; i < 5; i++) await tx.docs.create({ body: MB, n: 3 });
  }));
  assert.instance(error, UnsupportedQueryError);
  assert.is(error.info?.limit, 'requestBytes');
  assert.ok(isRequestTooLarge(error));
  assert.is(error.info?.maxBytes, EMULATOR_MAX_REQUEST_BYTES);
  assert.ok((error.info?.bytes as number) > EMULATOR_MAX_REQUEST_BYTES);
  assert.not.ok(error.info?.transient, 'not transient');
  assert.ok(Date.now() - started < 10_000, `refused without waiting for a deadline (${Date.now() - started} ms)`);
  assert.is(await db.docs.count({ n: 3 }), 0, 'nothing written');
});

test('a transaction of 12 records of 1 MB is refused too, and one that fits commits', async () => {
  const error = await failure(() => db.transaction(async (tx) => {
    for (let i = 0; i < 12; i++) await tx.docs.create({ body: MB, n: 4 });
  }));
  assert.instance(error, UnsupportedQueryError);
  assert.is(await db.docs.count({ n: 4 }), 0, 'nothing written');
  await db.transaction(async (tx) => {
    for (let i = 0; i < 3; i++) await tx.docs.create({ body: MB, n: 5 });
  });
  assert.is(await db.docs.count({ n: 5 }), 3);
});

test('updateMany setting a 600 KB field on 10 records splits its transactions by bytes and succeeds', async () => {
  await db.docs.createMany(Array.from({ length: 10 }, () => ({ body: 'small', n: 6 })));
  const big = 'y'.repeat(600_000);
  // 6 MB of changes: one transaction would be over the emulator's 4 MiB, as 20 would be over production's 10 MiB.
  const updated = await db.docs.updateMany({ n: 6 }, { body: big });
  assert.is(updated, 10);
  const rows = await db.docs.find({ where: { n: 6 } });
  assert.equal(rows.map((r) => r.body.length), Array(10).fill(600_000));
  assert.is(await db.docs.deleteMany({ n: 6 }), 10);
  assert.is(await db.docs.count({ n: 6 }), 0);
});

test.after(async () => {
  await db.docs.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
