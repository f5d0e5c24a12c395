import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, TimeoutError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
// The TCP proxy of the postgres package's fault tests: in blackhole mode it accepts connections and never answers.
import { startProxy } from '../../postgres/test/helpers/cluster.js';
import { metrics } from '../src/index.js';
import { histogram, scrape, sleep, value } from './helpers/fixtures.js';

await requireService('postgres');

// One table for every run of this file (each run adds one row), rather than one per run in the shared database.
const users = defineRepository('users', { id: f.id(), name: f.string({ max: 200 }), handle: f.string({ max: 100 }).unique() }, { table: 'metrics_deadline_users' });

const server = new URL(process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const proxy = await startProxy(Number(server.port || 5432));
const url = new URL(server);
url.hostname = '127.0.0.1';
url.port = String(proxy.port);
const m = metrics();
const driver = postgres({ url: url.href, poolSize: 1, connectTimeout: 1500, retry: false });
// defaultTimeout is what the configuration's database.query_timeout sets.
const db = createDatabase({ driver, repositories: { users }, plugins: [m], schemaMode: 'apply', defaultTimeout: '300ms' });
await db.connect();
const GET = { repository: 'users', operation: 'get' };

test.after(async () => {
  proxy.mode = 'forward';
  await db.close().catch(() => undefined);
  await proxy.close();
});

test('a PostgreSQL call past its query timeout counts as TIMEOUT when the caller gets it, not when the connect gives up', async () => {
  const u = await db.users.create({ name: 'a', handle: `h-${Date.now()}` });
  proxy.mode = 'blackhole';
  proxy.cut();
  // The pooled connection is gone (a call may fail on it with CONNECTION); the next one waits on a server that never answers.
  const seen: string[] = [];
  let error: unknown;
  for (let i = 0; i < 3 && !(error instanceof TimeoutError); i++) {
    error = await db.users.get(u.id).catch((e: unknown) => e);
    seen.push((error as { code?: string }).code ?? 'ok');
  }
  assert.instance(error, TimeoutError);
  const connectionErrors = seen.filter((c) => c === 'CONNECTION').length;
  const now = await scrape(m.registry);
  assert.is(value(now.families, 'chatcore_operations_total', { ...GET, outcome: 'TIMEOUT' }), 1);
  assert.is(value(now.families, 'chatcore_operations_in_flight', GET), 0);
  const latency = histogram(now.samples, 'chatcore_operation_duration_seconds', { ...GET, outcome: 'TIMEOUT' })!;
  assert.ok(latency.sum < 1, `latency ${latency.sum} s is the query timeout, not the connect timeout`);
  // Past the connect timeout: the connection attempt's own failure is not counted again.
  await sleep(2000);
  const later = await scrape(m.registry);
  assert.is(value(later.families, 'chatcore_operations_total', { ...GET, outcome: 'TIMEOUT' }), 1);
  assert.is(value(later.families, 'chatcore_operations_total', { ...GET, outcome: 'CONNECTION' }) ?? 0, connectionErrors);
  assert.is(value(later.families, 'chatcore_operations_in_flight', GET), 0);
});

test.run();
