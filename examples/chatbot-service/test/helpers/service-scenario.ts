import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { verifyAuditTrail } from '@chatcore/audit';
import { call, connectionRefused, heldRequest, runSmoke, type RunningService } from './deployed-service.js';

/**
 * /readyz is 200 with the status only (no components on the public port);
 * /healthz 200; /metrics is not on the public port (404) but on the metrics
 * port, with the service's families and the database's health component.
 */
export async function assertReady(service: RunningService, component: string): Promise<void> {
  const ready = await call(service.url, 'GET', '/readyz');
  assert.is(ready.status, 200, JSON.stringify(ready.json));
  assert.equal(ready.json, { status: 'up' });
  assert.is((await call(service.url, 'GET', '/healthz')).status, 200);
  const hidden = await call(service.url, 'GET', '/metrics');
  assert.equal([hidden.status, hidden.json.error?.code], [404, 'ROUTE_NOT_FOUND'], 'the public port does not serve /metrics');
  assert.ok(service.metricsUrl, 'the service was started with METRICS_PORT');
  const metrics = await fetch(`${service.metricsUrl}/metrics`);
  assert.is(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  for (const family of ['chatbot_operations_total counter', 'chatbot_operation_duration_seconds histogram', 'chatbot_health_status gauge', 'chatbot_cache_hits_total counter']) {
    assert.match(text, new RegExp(`^# TYPE ${family}$`, 'm'), family);
  }
  assert.match(text, new RegExp(`^chatbot_health_status\\{component="${component}"\\} 0$`, 'm'), `the ${component} component is up`);
  for (const path of ['/readyz', '/healthz', '/users']) {
    assert.is((await fetch(service.metricsUrl + path)).status, 404, `the metrics port serves /metrics only, not ${path}`);
  }
}

/** The metrics port counts the smoke's calls: at least 50 message creates and one user create, all `ok`. */
export async function assertSmokeCounted(service: RunningService): Promise<void> {
  const text = await (await fetch(`${service.metricsUrl}/metrics`)).text();
  const count = (repository: string, operation: string) =>
    Number(new RegExp(`^chatbot_operations_total\\{repository="${repository}",operation="${operation}",outcome="ok"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  assert.ok(count('messages', 'create') >= 50, `messages create counted: ${count('messages', 'create')}`);
  assert.ok(count('users', 'create') >= 1, `users create counted: ${count('users', 'create')}`);
}

/** The smoke script passes: a user, a conversation, 50 messages, paged back both ways. */
export async function assertSmoke(service: RunningService, dir: string): Promise<void> {
  const smoke = await runSmoke(dir, service.url, 50);
  assert.is(smoke.code, 0, smoke.stdout + smoke.stderr);
  const summary = JSON.parse(smoke.stdout.trim().split('\n').pop()!) as { ok: boolean; messages: number; pages: number };
  assert.equal([summary.ok, summary.messages, summary.pages], [true, 50, 3]);
}

/** Bad input 400 with the typed error's code; unknown ids 404; stale versions and duplicates 409; nothing written. */
export async function assertErrorAnswers(service: RunningService): Promise<void> {
  const { url } = service;
  const handle = `err-${Date.now().toString(36)}`;
  const user = await call(url, 'POST', '/users', { name: 'Errors', handle });
  assert.is(user.status, 201);

  const cases: Array<[string, string, unknown, number, string]> = [
    ['POST', '/users', '{not json', 400, 'VALIDATION'],
    ['POST', '/users', { name: 'x', handle: 'y', admin: true }, 400, 'VALIDATION'],
    ['POST', '/users', { name: 'x'.repeat(201), handle: `${handle}-long` }, 400, 'VALIDATION'],
    ['POST', '/users', { name: 'Again', handle }, 409, 'UNIQUE_VIOLATION'],
    ['GET', '/users/00000000-0000-7000-8000-000000000000', undefined, 404, 'NOT_FOUND'],
    ['POST', '/conversations', { userId: '00000000-0000-7000-8000-000000000000', title: 'Orphan' }, 404, 'NOT_FOUND'],
    ['GET', `/users/${user.json.id}/conversations?limit=0`, undefined, 400, 'VALIDATION'],
    ['GET', `/users/${user.json.id}/conversations?after=not-a-cursor`, undefined, 400, 'VALIDATION'],
    ['DELETE', `/users/${user.json.id}`, undefined, 405, 'METHOD_NOT_ALLOWED'],
    ['GET', '/nowhere', undefined, 404, 'ROUTE_NOT_FOUND'],
  ];
  for (const [method, path, body, status, code] of cases) {
    const r = await call(url, method, path, body);
    assert.is(r.status, status, `${method} ${path}: ${JSON.stringify(r.json)}`);
    assert.is(r.json.error.code, code, `${method} ${path}`);
  }
  // The orphan conversation was rolled back, the user's counter untouched.
  const page = await call(url, 'GET', `/users/${user.json.id}/conversations`);
  assert.equal([page.json.items.length, (await call(url, 'GET', `/users/${user.json.id}`)).json.conversationCount], [0, 0]);

  const c = await call(url, 'POST', '/conversations', { userId: user.json.id, title: 'Draft' });
  assert.is(c.status, 201);
  const renamed = await call(url, 'PATCH', `/conversations/${c.json.id}`, { title: 'Final', expectedVersion: c.json.version });
  assert.equal([renamed.status, renamed.json.title], [200, 'Final']);
  const stale = await call(url, 'PATCH', `/conversations/${c.json.id}`, { title: 'Stale', expectedVersion: c.json.version });
  assert.equal([stale.status, stale.json.error.code], [409, 'CONFLICT']);
  assert.is((await call(url, 'GET', `/conversations/${c.json.id}`)).json.title, 'Final');
}

/**
 * 16 requests in flight (the service answered 100-continue to each, so its
 * handler runs), then SIGTERM: no new connection is accepted, on the public
 * port or on the metrics port; all 16 are answered 201, the process exits 0,
 * and the audit trail verifies with the 16 messages in it.
 */
export async function assertDrainOnSigterm(service: RunningService, auditDir: string): Promise<void> {
  const user = await call(service.url, 'POST', '/users', { name: 'Drain', handle: `drain-${Date.now().toString(36)}` });
  const c = await call(service.url, 'POST', '/conversations', { userId: user.json.id, title: 'Shutdown' });
  assert.is(c.status, 201);
  const held = Array.from({ length: 16 }, (_, i) => heldRequest(service.port, `/conversations/${c.json.id}/messages`, { role: 'user', body: `in flight ${i}` }));
  await Promise.all(held.map((h) => h.accepted));

  service.child.kill('SIGTERM');
  const stopping = await service.waitForLog('shutting down', 30_000);
  assert.is(stopping.inFlight, 16);
  assert.ok(await connectionRefused(service.port), 'a new connection is refused once shutdown started');
  if (service.metricsPort !== undefined) assert.ok(await connectionRefused(service.metricsPort), 'the metrics port is closed too');

  for (const h of held) h.finish();
  const answers = await Promise.all(held.map((h) => h.response));
  assert.equal(answers.map((a) => a.status), Array(16).fill(201), JSON.stringify(answers.find((a) => a.status !== 201)));
  assert.equal(answers.map((a) => a.connection), Array(16).fill('close'), 'answers given while draining close their connection');
  assert.is(await service.exited, 0, service.output());
  assert.equal(service.logs.find((l) => l.msg === 'stopped')?.clean, true);

  const report = await verifyAuditTrail(join(auditDir, 'audit.log'), join(auditDir, 'audit.checkpoints'));
  assert.ok(report.ok, JSON.stringify(report.problem ?? report));
  const ids = new Set(answers.map((a) => a.json.id as string));
  const logged = readFileSync(join(auditDir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { repository?: string; method?: string; ids?: string[] });
  const auditedCreates = logged.filter((e) => e.repository === 'messages' && e.method === 'create' && e.ids?.some((id) => ids.has(id)));
  assert.is(auditedCreates.length, 16);
}
