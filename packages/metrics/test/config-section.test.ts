import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createStack, loadConfig } from '@chatcore/core/config';
import { configErrorOf } from '@chatcore/core/testing';
import { Counter, register, Registry } from 'prom-client';
import { metrics, metricsOptionsFromConfig, type MetricsPlugin } from '../src/index.js';
import { histogram, scrape, users, value } from './helpers/fixtures.js';

// The `metrics` section: registry, prefix, default labels and OpenTelemetry, from YAML.
const here = fileURLToPath(new URL('..', import.meta.url));
const stack = (section: string[]) =>
  createStack({ config: ['database:', '  backend: pglite', 'metrics:', ...section, ''].join('\n'), env: {}, repositories: { users }, resolveFrom: here });

test('registry: default puts the metrics in prom-client\'s default registry with the prefix and default labels; the application\'s metrics keep theirs', async () => {
  const app = new Counter({ name: 'app_requests_total', help: 'The application\'s own.', labelNames: ['route'] });
  app.inc({ route: '/' });
  const db = await stack(['  registry: default', '  prefix: chatbot_', '  default_labels: { service: chatbot, region: eu-west }']);
  await db.connect();
  try {
    const plugin = db.plugin<MetricsPlugin>('metrics')!;
    assert.ok(plugin.registry === register, 'the plugin registered into the default registry');
    await db.users.create({ name: 'Ada', handle: 'ada' });
    const { families, samples } = await scrape(register);
    const labels = { service: 'chatbot', region: 'eu-west', repository: 'users', operation: 'create', outcome: 'ok' };
    assert.equal(families.find((m) => m.name === 'chatbot_operations_total')!.metrics.map((s) => s.labels), [labels]);
    assert.is(histogram(samples, 'chatbot_operation_duration_seconds', labels)?.count, 1);
    assert.is(value(families, 'chatbot_operations_in_flight', { service: 'chatbot', region: 'eu-west', repository: 'users', operation: 'create' }), 0);
    assert.is(value(families, 'app_requests_total', { route: '/' }), 1, 'the application\'s metric has no default label');
  } finally {
    await db.close();
  }
  assert.equal((await register.getMetricsAsJSON()).map((m) => m.name), ['app_requests_total'], 'close() took the plugin\'s metrics out of the shared registry');
  register.clear();
});

test('by default the plugin has a registry of its own and the default registry stays empty', async () => {
  const db = await stack(['  open_telemetry: false']);
  await db.connect();
  try {
    const plugin = db.plugin<MetricsPlugin>('metrics')!;
    assert.instance(plugin.registry, Registry);
    assert.ok(plugin.registry !== register);
    await db.users.count();
    assert.is(value((await scrape(plugin.registry)).families, 'chatcore_operations_total', { repository: 'users', operation: 'count', outcome: 'ok' }), 1);
    assert.equal(await register.getMetricsAsJSON(), []);
  } finally {
    await db.close();
  }
});

test('the metrics example of docs/configuration.md loads, its ${REGION:-eu-west} in a flow map included', () => {
  const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  const example = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith('metrics:') && b.includes('default_labels'));
  assert.ok(example, 'the example is in docs/configuration.md');
  const options = (env: Record<string, string>) => metricsOptionsFromConfig(loadConfig(example, { env }).metrics!);
  assert.equal(options({}).defaultLabels, { service: 'chatbot', region: 'eu-west' });
  assert.equal(options({ REGION: 'us-east' }).defaultLabels, { service: 'chatbot', region: 'us-east' });
});

test('the section maps to metrics() options', () => {
  const cfg = loadConfig('metrics:\n  registry: default\n  prefix: app_\n  default_labels: { service: chat, shard: 7 }\n  open_telemetry: false\n', { env: {} });
  const options = metricsOptionsFromConfig(cfg.metrics!);
  assert.ok(options.registry === register);
  assert.equal({ ...options, registry: undefined }, { registry: undefined, prefix: 'app_', defaultLabels: { service: 'chat', shard: '7' }, openTelemetry: false });
  assert.equal(metricsOptionsFromConfig(loadConfig('metrics: {}\n', { env: {} }).metrics!), {});
  const spans = loadConfig('metrics:\n  active_span: true\n  require_parent_span: true\n', { env: {} });
  assert.equal(metricsOptionsFromConfig(spans.metrics!), { activeSpan: true, requireParentSpan: true });
  assert.match(configErrorOf(() => loadConfig('metrics:\n  require_parent_span: sometimes\n', { env: {} })).message, /require_parent_span/);
});

test('a default label that is not a Prometheus label name, or clashes with the plugin\'s own, is a ConfigError with path and line', () => {
  const error = configErrorOf(() => loadConfig([
    'metrics:',               // 1
    '  registry: global',     // 2
    '  default_labels:',      // 3
    '    service: chat',      // 4
    '    app-name: x',        // 5
    '    operation: y',       // 6
    '    __meta: z',          // 7
    '    9lives: w',          // 8
    '',
  ].join('\n'), { env: {} }));
  const problems = [...error.problems];
  assert.equal(problems.map((p) => [p.path, p.line]), [
    ['metrics.registry', 2],
    ['metrics.default_labels.app-name', 5],
    ['metrics.default_labels.operation', 6],
    ['metrics.default_labels.__meta', 7],
    ['metrics.default_labels.9lives', 8],
  ]);
  assert.match(problems[0]!.message, /one of own, default/);
  assert.match(problems[1]!.message, /Prometheus label name/);
  assert.match(problems[2]!.message, /label of the plugin's own series/);
  assert.match(problems[3]!.message, /'__'/);
  for (const p of problems) assert.ok(error.message.includes(`${p.path} (line ${p.line})`), p.path);
});

test('metrics() refuses the same default labels in code, naming each', () => {
  const error = configErrorOf(() => metrics({ defaultLabels: { 'app-name': 'x', tier: 'y', ok: 'z' } }));
  assert.equal(error.problems.map((p) => p.path), ['defaultLabels.app-name', 'defaultLabels.tier']);
  const notString = configErrorOf(() => metrics({ defaultLabels: { shard: 7 as unknown as string } }));
  assert.match(notString.message, /defaultLabels\.shard: "shard" has a number value; label values are strings/);
  const plugin = metrics({ registry: new Registry(), defaultLabels: { service: 'chat' } });
  assert.ok(plugin.registry !== register);
});

test.run();
