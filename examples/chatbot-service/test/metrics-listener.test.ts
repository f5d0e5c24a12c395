// /metrics has a listener of its own (METRICS_PORT), never the public port: in process with createService, and
// as the image runs it (node dist/main.js) with the default and with METRICS_PORT set or unusable.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '@chatcore/core';
import { createService, type ChatbotService } from '../src/service.js';
import { openDatabase } from '../src/stack.js';
import { buildService, call, connectionRefused, serviceRoot, startService, type RunningService } from './helpers/deployed-service.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-metrics-listener-'));
const keys = { ROOT_KEY: randomBytes(32).toString('base64'), INDEX_KEY: randomBytes(32).toString('base64') };
const stack = ['database:\n  backend: memory', 'encryption:\n  root_key: ${ROOT_KEY}\n  blind_index:\n    key: ${INDEX_KEY}'];
const withMetrics = join(dir, 'with-metrics.yaml');
writeFileSync(withMetrics, [...stack, 'metrics:\n  prefix: chatbot_', ''].join('\n'));
const withoutMetrics = join(dir, 'without-metrics.yaml');
writeFileSync(withoutMetrics, [...stack, ''].join('\n'));
buildService();
const started: RunningService[] = [];

async function listenOnBoth(service: ChatbotService): Promise<{ api: string; metrics: string }> {
  const at = (server: http.Server) => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  return { api: await at(service.server), metrics: await at(service.metricsServer!) };
}

/** The main.js of the service, on the memory backend, with `env` on top. */
function start(config: string, env: Record<string, string>): Promise<RunningService> {
  return startService(serviceRoot, { ...keys, CHATCORE_CONFIG: config, ...env }).then((s) => (started.push(s), s));
}

test('in process: the public server answers 404 for /metrics, the metrics server answers /metrics only', async () => {
  const db = await openDatabase(withMetrics, keys);
  await db.connect();
  const service = createService(db, { log: () => undefined, serveMetrics: true });
  const { api, metrics } = await listenOnBoth(service);
  try {
    assert.ok((await call(api, 'POST', '/users', { name: 'Ada', handle: 'ada' })).status === 201);
    const hidden = await call(api, 'GET', '/metrics');
    assert.equal([hidden.status, hidden.json.error.code], [404, 'ROUTE_NOT_FOUND']);
    const scrape = await fetch(`${metrics}/metrics`);
    assert.is(scrape.status, 200);
    const text = await scrape.text();
    assert.match(text, /^# TYPE chatbot_operations_total counter$/m);
    assert.match(text, /^chatbot_operations_total\{repository="users",operation="create",outcome="ok"\} 1$/m);
    assert.match(text, /^chatbot_health_status\{component="memory"\} 0$/m);
    const head = await fetch(`${metrics}/metrics`, { method: 'HEAD' });
    assert.equal([head.status, await head.text()], [200, '']);
    assert.is((await fetch(`${metrics}/metrics`, { method: 'POST' })).status, 405);
    for (const path of ['/healthz', '/readyz', '/users', '/metrics/extra']) {
      const r = await call(metrics, 'GET', path);
      assert.equal([r.status, r.json.error.code], [404, 'ROUTE_NOT_FOUND'], path);
    }
  } finally {
    assert.is(await service.shutdown('test'), 0);
  }
  assert.ok(await connectionRefused(Number(new URL(api).port)), 'the public port is closed');
  assert.ok(await connectionRefused(Number(new URL(metrics).port)), 'the metrics port is closed');
  assert.equal([service.server.listening, service.metricsServer!.listening], [false, false]);
});

test('in process: without serveMetrics there is no metrics server, and /metrics is served nowhere', async () => {
  const db = await openDatabase(withMetrics, keys);
  await db.connect();
  const service = createService(db, { log: () => undefined });
  assert.is(service.metricsServer, undefined);
  await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
  const api = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  assert.is((await fetch(`${api}/metrics`)).status, 404);
  assert.is((await fetch(`${api}/healthz`)).status, 200);
  assert.is(await service.shutdown('test'), 0);
});

test('in process: serveMetrics on a configuration without a metrics section is a ConfigError naming the fix', async () => {
  const db = await openDatabase(withoutMetrics, keys);
  await db.connect();
  try {
    assert.throws(() => createService(db, { log: () => undefined, serveMetrics: true }), (e: unknown) => e instanceof ConfigError && /no `metrics` section.*unset METRICS_PORT/.test(e.message));
  } finally {
    await db.close();
  }
});

test('node dist/main.js without METRICS_PORT: /metrics is served nowhere, and the start-up says so', async () => {
  const service = await start(withMetrics, {});
  assert.is(service.metricsUrl, undefined);
  assert.is((await fetch(`${service.url}/metrics`)).status, 404);
  assert.is((await fetch(`${service.url}/readyz`)).status, 200);
  const line = service.logs.find((l) => l.msg === 'metrics not served');
  assert.ok(line, service.output());
  assert.match(String(line!.hint), /METRICS_PORT/);
  service.child.kill('SIGTERM');
  assert.is(await service.exited, 0);
});

test('node dist/main.js with METRICS_PORT: /metrics there only; SIGTERM closes both listeners and exits 0', async () => {
  const service = await start(withMetrics, { METRICS_PORT: '0' }); // a free port, named by the listening line
  const metricsPort = service.metricsPort!;
  const listening = service.logs.find((l) => l.msg === 'listening')!;
  assert.ok(Number.isInteger(metricsPort) && metricsPort > 0 && metricsPort !== service.port, service.output());
  assert.equal([listening.port, listening.metricsPort, listening.metricsHost], [service.port, metricsPort, '127.0.0.1']);
  assert.is((await fetch(`${service.url}/metrics`)).status, 404);
  const scrape = await fetch(`${service.metricsUrl}/metrics`);
  assert.is(scrape.status, 200);
  assert.match(await scrape.text(), /^# TYPE chatbot_operations_total counter$/m);
  // A keep-alive connection to each port, idle when the signal comes: neither may hold the exit up.
  const agent = new http.Agent({ keepAlive: true });
  for (const port of [service.port, metricsPort]) {
    await new Promise<void>((resolve, reject) => http.get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));
  }
  service.child.kill('SIGTERM');
  assert.is(await service.exited, 0, service.output());
  agent.destroy();
  assert.equal(service.logs.find((l) => l.msg === 'stopped')?.clean, true);
  assert.ok(await connectionRefused(service.port));
  assert.ok(await connectionRefused(metricsPort));
});

test('node dist/main.js with METRICS_PORT and no metrics section: start-up fails, exit 1, naming METRICS_PORT', async () => {
  const refused = await start(withoutMetrics, { METRICS_PORT: '0' }).then((s) => { s.child.kill('SIGKILL'); return undefined; }, (e: Error) => e);
  assert.ok(refused, 'the service did not start');
  assert.match(refused!.message, /exited \(1\)/);
  assert.match(refused!.message, /"msg":"start-up failed".*no `metrics` section.*METRICS_PORT/);
});

test('node dist/main.js with a METRICS_PORT already taken: exit 1 and a `cannot listen` line naming METRICS_PORT', async () => {
  const taken = http.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const port = (taken.address() as AddressInfo).port;
    const refused = await start(withMetrics, { METRICS_PORT: String(port) }).then((s) => { s.child.kill('SIGKILL'); return undefined; }, (e: Error) => e);
    assert.ok(refused, 'the service did not start');
    assert.match(refused!.message, /exited \(1\)/);
    assert.match(refused!.message, /"msg":"cannot listen","variable":"METRICS_PORT","error":"listen EADDRINUSE/);
  } finally {
    taken.close();
  }
});

test.after(async () => {
  for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test.run();
