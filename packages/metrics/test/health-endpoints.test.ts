import http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import express from 'express';
import Fastify from 'fastify';
import { ConnectionError, createDatabase, type HealthReport } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
// The private-cluster helper of the postgres package's fault tests: a throw-away server this file may stop.
import { createCluster, type TestCluster } from '../../postgres/test/helpers/cluster.js';
import { healthEndpoints, metrics } from '../src/index.js';
import { close, listen, request, type Reply } from './helpers/http.js';
import { scrape, sleep, users, value } from './helpers/fixtures.js';

await requireService('postgres');

const cluster: TestCluster = await createCluster('cc_metrics_health', 25454);
const driver = postgres({ url: cluster.url(), poolSize: 4, connectTimeout: 1000, retry: false, breaker: { failures: 3, halfOpenAfter: 300 } });
const m = metrics();
const db = createDatabase({ driver, repositories: { users }, plugins: [m] });
await db.connect();
const endpoints = healthEndpoints(db, { metrics: m });

const plain = http.createServer(endpoints.handle);
const app = express();
app.use(endpoints.handle);
app.get('/hello', (_req, res) => { res.send('from the app'); });
const expressServer = http.createServer(app);
const fastify = Fastify({ logger: false });
await fastify.register(endpoints.fastify);
fastify.get('/hello', async () => 'from fastify');
await fastify.listen({ port: 0, host: '127.0.0.1' });

const servers: Record<string, string> = {
  'node:http': await listen(plain),
  express: await listen(expressServer),
  fastify: `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}`,
};

test('node:http, Express and Fastify serve /healthz, /readyz (the report) and /metrics (Prometheus text)', async () => {
  await db.users.create({ name: 'Ada', handle: 'ada' });
  for (const [name, base] of Object.entries(servers)) {
    const live = await request(base, '/healthz');
    assert.is(live.status, 200, name);
    assert.equal(JSON.parse(live.body), { status: 'up' });
    const ready = await request(base, '/readyz');
    assert.is(ready.status, 200, name);
    assert.match(String(ready.headers['content-type']), 'application/json');
    const report = JSON.parse(ready.body) as HealthReport;
    assert.is(report.status, 'up');
    assert.ok(report.components.some((c) => c.name === 'primary' && c.status === 'up'), name);
    const scraped = await request(base, '/metrics');
    assert.is(scraped.status, 200, name);
    assert.is(scraped.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8', name);
    assert.match(scraped.body, 'chatcore_operations_total{repository="users",operation="create",outcome="ok"} 1');
    const head = await request(base, '/metrics', 'HEAD');
    assert.is(head.status, 200, name);
    assert.is(head.body, '', name);
  }
  assert.is((await request(servers['node:http']!, '/nowhere')).status, 404);
  assert.is((await request(servers['node:http']!, '/readyz', 'POST')).status, 405);
  assert.is((await request(servers.express!, '/hello')).body, 'from the app', 'Express: other paths reach the app');
  assert.is((await request(servers.fastify!, '/hello')).body, 'from fastify');
});

test('pool, breaker and component status come from the postgres driver\'s health', async () => {
  const { families } = await scrape(m.registry);
  assert.is(value(families, 'chatcore_health_status', { component: 'primary' }), 0);
  assert.is(value(families, 'chatcore_breaker_state', { server: 'primary' }), 0);
  assert.is(value(families, 'chatcore_pool_max_connections', { component: 'pool' }), 4);
  assert.ok(value(families, 'chatcore_pool_connections', { component: 'pool' })! >= 1);
  assert.is(value(families, 'chatcore_pool_waiting_requests', { component: 'pool' }), 0);
});

test('a probe storm costs one db.health(): probes that arrive while it runs share it, later ones reuse it for cacheMs', async () => {
  let calls = 0;
  let arrived = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let answeredAt = 0;
  // The first check is held until all 100 probes have arrived, so they overlap whatever the machine's load
  // (a timeout far above the 1 s default: the hold is not a slow database, and must not read as one).
  const counted = healthEndpoints({
    health: async () => {
      calls++;
      if (calls === 1) await gate;
      const report = await db.health();
      answeredAt = performance.now();
      return report;
    },
  }, { cacheMs: 1000, timeoutMs: 60_000 });
  const server = http.createServer((req, res) => {
    if (++arrived === 100) open();
    counted.handle(req, res);
  });
  const base = await listen(server);
  try {
    const replies = await Promise.all(Array.from({ length: 100 }, () => request(base, '/readyz')));
    assert.ok(replies.every((r) => r.status === 200));
    assert.is(calls, 1);
    await request(base, '/readyz');
    // cacheMs runs from the moment the check answered, not from when the last of the 100 replies got here.
    if (performance.now() - answeredAt < 900) assert.is(calls, 1, 'reused within cacheMs');
    await sleep(1100);
    await Promise.all(Array.from({ length: 20 }, () => request(base, '/readyz')));
    assert.ok(calls >= 2, 'checked again after cacheMs');
  } finally {
    await close(server);
  }
});

test('cacheMs above the 2 s readiness target is refused', () => {
  assert.throws(() => healthEndpoints(db, { cacheMs: 5000 }), /cacheMs/);
});

/** Poll every server until `done` holds for all of them; returns ms from `since`, and every /healthz status seen. */
async function until(path: string, done: (r: Reply) => boolean, since: number, limitMs: number): Promise<{ ms: number; live: number[] }> {
  const live: number[] = [];
  const ok = new Set<string>();
  while (performance.now() - since < limitMs) {
    await Promise.all(Object.entries(servers).map(async ([name, base]) => {
      const [r, l] = await Promise.all([request(base, path), request(base, '/healthz')]);
      live.push(l.status);
      if (done(r)) ok.add(name);
      else ok.delete(name);
    }));
    if (ok.size === Object.keys(servers).length) return { ms: performance.now() - since, live };
    await sleep(50);
  }
  throw new Error(`${path}: not every server answered as expected within ${limitMs} ms (ok: ${[...ok].join(', ')})`);
}

test('/readyz is 503 within 2 s of PostgreSQL stopping and 200 within 2 s of it being back; /healthz stays 200', async () => {
  await cluster.stop();
  const stopped = performance.now();
  const down = await until('/readyz', (r) => r.status === 503 && (JSON.parse(r.body) as HealthReport).status === 'down', stopped, 10_000);
  console.log(`  503 on all three servers ${down.ms.toFixed(0)} ms after the server stopped`);
  assert.ok(down.ms <= 2000, `${down.ms.toFixed(0)} ms`);
  assert.ok(down.live.every((s) => s === 200), '/healthz answered 200 throughout');

  // Calls fail while it is down; three failures open the breaker.
  for (let i = 0; i < 4; i++) await db.users.find({}).then(() => assert.unreachable(), (e) => assert.instance(e, ConnectionError));
  await sleep(600); // let the driver-health reading of an earlier scrape expire
  const during = await scrape(m.registry);
  assert.is(value(during.families, 'chatcore_breaker_state', { server: 'primary' }), 2);
  assert.is(value(during.families, 'chatcore_health_status', { component: 'primary' }), 2);
  assert.is(value(during.families, 'chatcore_operations_total', { repository: 'users', operation: 'find', outcome: 'CONNECTION' }), 4);

  await cluster.start();
  const started = performance.now();
  const up = await until('/readyz', (r) => r.status === 200, started, 10_000);
  console.log(`  200 on all three servers ${up.ms.toFixed(0)} ms after the server was back`);
  assert.ok(up.ms <= 2000, `${up.ms.toFixed(0)} ms`);
  assert.ok(up.live.every((s) => s === 200));
  await sleep(400);
  assert.is((await db.users.find({})).length, 1, 'calls work again after half-open');
});

test.after(async () => {
  await close(plain);
  await close(expressServer);
  await fastify.close();
  await db.close();
  await cluster.drop();
});

test.run();
