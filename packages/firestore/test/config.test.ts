import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, defineRepository, f } from '@chatcore/core';
import { createStack, loadConfig } from '@chatcore/core/config';
import { closedPort, configErrorOf } from '@chatcore/core/testing';
import { firestoreConfigFrom, type FirestoreDriver } from '../src/index.js';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { suffix } from './helpers/emulator.js';

// The `database` section with backend: firestore, on the emulator and on a closed port.
process.env.METADATA_SERVER_DETECTION ??= 'none';
const notes = defineRepository('notes', { id: f.id(), body: f.text({ max: 40 }) }, { table: `config_notes_${suffix()}` });

// query_timeout 2s keeps the closed-port case short; a live emulator on a loaded machine gets 20s.
const yaml = (host: string, extra: string[] = [], timeout = '2s') => [
  'database:', '  backend: firestore', `  project_id: chatcore-test-${suffix()}`, `  emulator_host: ${host}`, `  query_timeout: ${timeout}`, ...extra, '',
].join('\n');

test('retry and breaker in the postgres vocabulary map to the Firestore driver options', () => {
  const cfg = loadConfig(yaml('127.0.0.1:8080', [
    '  retry: { max_retries: 1, initial_delay: 20ms, max_delay: 2s }', '  breaker: { failures: 2, half_open_after: 1m }',
  ]), { env: {} }).database;
  const options = firestoreConfigFrom(cfg);
  assert.equal(options.retry, { maxRetries: 1, initialDelay: 20, maxDelay: 2000 });
  assert.equal(options.breaker, { failures: 2, halfOpenAfter: 60_000 });
  assert.is(options.callTimeout, 2000);
  // Absent: the driver's defaults, not a policy of the loader's.
  const plain = firestoreConfigFrom(loadConfig(yaml('127.0.0.1:8080'), { env: {} }).database);
  assert.not.ok('retry' in plain || 'breaker' in plain, JSON.stringify(plain));
});

test('bad retry and breaker settings for firestore are reported with their YAML paths and lines, all at once', () => {
  const error = configErrorOf(() => loadConfig(yaml('127.0.0.1:8080', [
    '  retry: { max_retries: -1, initial_delay: soon }', '  breaker: { threshold: 3 }',
  ]), { env: {} }));
  assert.equal(error.problems.map((p) => p.path), ['database.retry.max_retries', 'database.retry.initial_delay', 'database.breaker.threshold']);
  assert.equal(error.problems.map((p) => p.line), [6, 6, 7]);
  assert.match(error.problems[2]!.message, /allowed keys: failures, half_open_after/);
});

test('retry and breaker are refused for pglite, which has no network to retry', () => {
  const error = configErrorOf(() => loadConfig('database:\n  backend: pglite\n  retry: { max_retries: 2 }\n  breaker: { failures: 2 }\n', { env: {} }));
  assert.equal(error.problems.map((p) => p.path), ['database.retry', 'database.breaker']);
  assert.match(error.problems[0]!.message, /does not apply to backend pglite/);
});

test('a stack built from YAML on the emulator runs with the configured retry and breaker', async () => {
  const emulator = await useFirestoreEmulator();
  const db = await createStack({
    config: yaml(emulator.host, ['  retry: { max_retries: 1, initial_delay: 10ms, max_delay: 100ms }', '  breaker: { failures: 7, half_open_after: 3s }'], '20s'),
    env: {},
    repositories: { notes },
  });
  await db.connect();
  try {
    const options = (db.driver as FirestoreDriver).options;
    assert.equal(options.retry, { maxRetries: 1, initialDelayMs: 10, maxDelayMs: 100 });
    assert.equal(options.breaker, { failures: 7, halfOpenAfterMs: 3000 });
    const n = await db.notes.create({ body: 'from yaml' });
    assert.is((await db.notes.get(n.id))?.body, 'from yaml');
    await db.notes.delete(n.id);
  } finally {
    await db.close();
  }
});

test('breaker: { failures: 1 } from YAML opens after one unreachable call; the next fails fast', async () => {
  const port = await closedPort();
  const db = await createStack({
    config: yaml(`127.0.0.1:${port}`, ['  retry: { max_retries: 0 }', '  breaker: { failures: 1, half_open_after: 1m }']),
    env: {},
    repositories: { notes },
  });
  await db.connect();
  try {
    const first = await db.notes.get('some-id').then(() => undefined, (e: unknown) => e);
    assert.instance(first, ConnectionError);
    assert.is((first as ConnectionError).info.breaker, undefined, 'the first call reached for the backend');
    const second = await db.notes.get('some-id').then(() => undefined, (e: unknown) => e);
    assert.instance(second, ConnectionError);
    assert.is((second as ConnectionError).info.breaker, 'open');
  } finally {
    await db.close();
  }
});

test.run();
