// PORT, METRICS_PORT, METRICS_HOST and CHATCORE_DRAIN_MS are read strictly: a value the service cannot use
// stops the start-up.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readSettings, SettingsError } from '../src/settings.js';
import { buildService, serviceRoot } from './helpers/deployed-service.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    readSettings(env);
  } catch (error) {
    assert.instance(error, SettingsError);
    return (error as SettingsError).problems;
  }
  return [];
}

test('defaults, integers and durations', () => {
  assert.equal(readSettings({}), { configPath: 'chatcore.yaml', port: 8080, host: '0.0.0.0', drainMs: 25_000 });
  assert.equal(readSettings({ PORT: '3000', CHATCORE_DRAIN_MS: '25s', HOST: '127.0.0.1', CHATCORE_CONFIG: 'x.yaml' }), { configPath: 'x.yaml', port: 3000, host: '127.0.0.1', drainMs: 25_000 });
  assert.is(readSettings({ CHATCORE_DRAIN_MS: '1500' }).drainMs, 1500);
  assert.is(readSettings({ CHATCORE_DRAIN_MS: '500ms' }).drainMs, 500);
  assert.is(readSettings({ CHATCORE_DRAIN_MS: '2m' }).drainMs, 120_000);
  assert.is(readSettings({ CHATCORE_DRAIN_MS: '0' }).drainMs, 0);
  assert.is(readSettings({ PORT: '0' }).port, 0);
});

test('without METRICS_PORT there is no metrics listener; with it, METRICS_HOST defaults to 127.0.0.1', () => {
  assert.is(readSettings({}).metrics, undefined);
  assert.is(readSettings({ METRICS_PORT: '' }).metrics, undefined);
  assert.equal(readSettings({ METRICS_PORT: '9464' }).metrics, { port: 9464, host: '127.0.0.1' });
  assert.equal(readSettings({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics, { port: 9464, host: '0.0.0.0' });
  assert.equal(readSettings({ METRICS_PORT: '9464', METRICS_HOST: '::1' }).metrics, { port: 9464, host: '::1' });
  assert.equal(readSettings({ METRICS_PORT: '9464', METRICS_HOST: 'metrics.internal' }).metrics, { port: 9464, host: 'metrics.internal' });
  assert.equal(readSettings({ METRICS_PORT: '0', PORT: '0' }).metrics, { port: 0, host: '127.0.0.1' });
});

test('bad METRICS_PORT and METRICS_HOST values are refused, each naming its variable', () => {
  for (const bad of ['abc', '9464x', '65536', '-1', '94.64', ' 9464', '0x24f8', '1e3']) {
    const problems = problemsOf({ METRICS_PORT: bad });
    assert.is(problems.length, 1, bad);
    assert.match(problems[0]!, /^METRICS_PORT must be an integer from 0 to 65535/, bad);
  }
  for (const bad of ['http://127.0.0.1', '127.0.0.1:9464', 'two words', '-leading.dash', 'under_score']) {
    const problems = problemsOf({ METRICS_PORT: '9464', METRICS_HOST: bad });
    assert.is(problems.length, 1, bad);
    assert.match(problems[0]!, /^METRICS_HOST must be an IP address or a host name/, bad);
  }
  assert.equal(problemsOf({ METRICS_HOST: '0.0.0.0' }), ['METRICS_HOST is set but METRICS_PORT is not: set METRICS_PORT to serve /metrics, or unset METRICS_HOST']);
  assert.equal(problemsOf({ METRICS_PORT: '8080' }), ['METRICS_PORT must differ from PORT (both 8080): /metrics has a listener of its own, off the public port']);
  assert.match(problemsOf({ PORT: '9464', METRICS_PORT: '9464' })[0]!, /METRICS_PORT must differ from PORT/);
  assert.is(problemsOf({ PORT: 'x', METRICS_PORT: 'y', CHATCORE_DRAIN_MS: 'z' }).length, 3);
});

test('values that are not a port or a duration are refused, each naming its variable', () => {
  for (const bad of ['abc', '25 seconds', '-1', '1e3', 'NaN', 'Infinity', '30d']) {
    const problems = problemsOf({ CHATCORE_DRAIN_MS: bad });
    assert.is(problems.length, 1, bad);
    assert.match(problems[0]!, 'CHATCORE_DRAIN_MS', bad);
  }
  for (const bad of ['abc', '8080x', '65536', '-1', '80.5', ' 80', '0x50', '1e3']) {
    const problems = problemsOf({ PORT: bad });
    assert.is(problems.length, 1, bad);
    assert.match(problems[0]!, 'PORT', bad);
  }
  assert.is(problemsOf({ PORT: 'x', CHATCORE_DRAIN_MS: 'y' }).length, 2);
});

test('the service refuses a bad CHATCORE_DRAIN_MS, PORT, METRICS_PORT or METRICS_HOST at start-up with exit code 2 and a log line naming it', () => {
  buildService();
  const run = (env: Record<string, string>) => spawnSync(process.execPath, [join(serviceRoot, 'dist', 'main.js')], {
    cwd: serviceRoot,
    env: { PATH: process.env.PATH ?? '', CHATCORE_CONFIG: join(serviceRoot, 'no-such-file.yaml'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const refused: Array<Record<string, string>> = [
    { CHATCORE_DRAIN_MS: 'abc' }, { CHATCORE_DRAIN_MS: '25 seconds' }, { PORT: '80eighty' },
    { METRICS_PORT: 'abc' }, { METRICS_PORT: '65536' }, { METRICS_PORT: '-1' }, { METRICS_PORT: '8080' },
    { METRICS_HOST: '0.0.0.0' }, { METRICS_HOST: 'http://0.0.0.0', METRICS_PORT: '9464' },
  ];
  for (const env of refused) {
    const r = run(env);
    assert.is(r.status, 2, `${JSON.stringify(env)}: ${r.stdout}${r.stderr}`);
    const line = JSON.parse(r.stdout.trim().split('\n')[0]!) as { level: string; msg: string; problems: string[] };
    assert.equal([line.level, line.msg], ['error', 'bad environment']);
    assert.is(line.problems.length, 1, JSON.stringify(line.problems));
    assert.match(line.problems[0]!, new RegExp(`^${Object.keys(env)[0]!} `));
  }
  // Good values get past the settings to the configuration (missing here: exit 1, not 2).
  assert.is(run({ CHATCORE_DRAIN_MS: '25s' }).status, 1);
  assert.is(run({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).status, 1);
});

test.run();
