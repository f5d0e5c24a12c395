import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineRepository, f } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';
import { requireService } from '@chatcore/core/testing';
import { healthEndpoints, type MetricsPlugin } from '@chatcore/metrics';
import type { FirestoreDriver } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';

await requireService('postgres');
await requireService('redis');

// The repositories the example files name (sensitive_fields, include_values, cache.repositories).
const tag = randomBytes(4).toString('hex');
const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  email: f.string().sensitive({ searchable: true }),
  ssn: f.string().optional(),
  apiKey: f.string().optional(),
  version: f.version(),
}, { table: `example_users_${tag}` });
const conversations = defineRepository('conversations', { id: f.id(), title: f.string(), version: f.version() }, { table: `example_conversations_${tag}` });
const messages = defineRepository('messages', { id: f.id(), conversationId: f.string(), body: f.text(), version: f.version() }, { table: `example_messages_${tag}` });
const drafts = defineRepository('drafts', { id: f.id(), body: f.text() }, { table: `example_drafts_${tag}` });
const repositories = { users, conversations, messages, drafts };

const file = (name: string) => fileURLToPath(new URL(`../${name}`, import.meta.url));
const key = () => randomBytes(32).toString('base64');
const httpGet = (port: number, path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
  get({ host: '127.0.0.1', port, path }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  }).on('error', reject);
});

test('chatcore.yaml builds the full stack on PostgreSQL (encryption, cache, audit, metrics) and serves a request and /readyz', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatcore-example-'));
  const pgUrl = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const db = await createStack({
    config: file('chatcore.yaml'),
    env: {
      DATABASE_URL: pgUrl, DATABASE_REPLICA_URL: pgUrl, DATABASE_SSL: 'false', SCHEMA_MODE: 'apply',
      CHATCORE_KEY_2026: key(), CHATCORE_KEY_2025: key(), CHATCORE_BLIND_INDEX_KEY: key(),
      CACHE_NAMESPACE: `example-${tag}`, AUDIT_LOG: join(dir, 'audit.log'), AUDIT_CHECKPOINTS: join(dir, 'audit.checkpoints'),
    },
    repositories,
  });
  assert.equal(db.plugins.map((p) => p.name), ['metrics', 'audit', 'encryption', 'cache']);
  await db.connect();
  const server = createServer(healthEndpoints(db, { metrics: db.plugin<MetricsPlugin>("metrics")! }).handle);
  // Port 0: a port found free beforehand is given back, and another test file's listener can take it meanwhile.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const ada = await db.users.create({ name: 'Ada', email: 'ada@example.com', ssn: '123-45-6789' });
    assert.is((await db.users.get(ada.id))?.ssn, '123-45-6789');
    assert.is((await db.users.findOne({ where: { email: 'ada@example.com' } }))?.id, ada.id);
    const ready = await httpGet(port, '/readyz');
    assert.is(ready.status, 200, ready.body);
    const metrics = await httpGet(port, '/metrics');
    assert.match(metrics.body, /chatbot_/);
    assert.match(metrics.body, /^chatbot_operations_total\{service="chatbot",repository="users",operation="create",outcome="ok"\} 1$/m);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  }
  // The audit file got the events, and the PostgreSQL row holds no plaintext of the sensitive fields.
  const log = readFileSync(join(dir, 'audit.log'), 'utf8');
  assert.match(log, /"repository":"users"/);
  assert.not.match(log, /123-45-6789|ada@example\.com/);
  rmSync(dir, { recursive: true, force: true });
});

test('chatcore.firestore.yaml builds a stack on the Firestore emulator and serves a request', async () => {
  const emulator = await useFirestoreEmulator();
  const db = await createStack({
    config: file('chatcore.firestore.yaml'),
    // useFirestoreEmulator also sets FIRESTORE_EMULATOR_HOST in process.env, where the Firestore client reads it.
    env: { FIRESTORE_PROJECT_ID: `example-${tag}`, CHATCORE_ROOT_KEY: key(), CACHE_NAMESPACE: `example-fs-${tag}` },
    repositories,
  });
  assert.equal(db.plugins.map((p) => p.name), ['metrics', 'encryption', 'cache']);
  const options = (db.driver as FirestoreDriver).options;
  assert.equal([options.retry, options.breaker], [{ maxRetries: 5, initialDelayMs: 100, maxDelayMs: 2000 }, { failures: 10, halfOpenAfterMs: 5000 }]);
  await db.connect();
  try {
    const ada = await db.users.create({ name: 'Ada', email: 'ada@example.com' });
    assert.is((await db.users.get(ada.id))?.email, 'ada@example.com');
    assert.is((await db.users.findOne({ where: { email: 'ada@example.com' } }))?.id, ada.id);
  } finally {
    await db.close();
    await emulator.stop();
  }
});

test.run();
