// PORT and CHATCORE_DRAIN_MS are read strictly: a value the service cannot use stops the start-up.
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

test('the service refuses CHATCORE_DRAIN_MS=abc at start-up with exit code 2 and a log line naming it', () => {
  buildService();
  const run = (env: Record<string, string>) => spawnSync(process.execPath, [join(serviceRoot, 'dist', 'main.js')], {
    cwd: serviceRoot,
    env: { PATH: process.env.PATH ?? '', CHATCORE_CONFIG: join(serviceRoot, 'no-such-file.yaml'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  for (const env of [{ CHATCORE_DRAIN_MS: 'abc' }, { CHATCORE_DRAIN_MS: '25 seconds' }, { PORT: '80eighty' }]) {
    const r = run(env);
    assert.is(r.status, 2, `${JSON.stringify(env)}: ${r.stdout}${r.stderr}`);
    const line = JSON.parse(r.stdout.trim().split('\n')[0]!) as { level: string; msg: string; problems: string[] };
    assert.equal([line.level, line.msg], ['error', 'bad environment']);
    assert.match(line.problems.join('\n'), Object.keys(env)[0]!);
  }
  // A good value gets past the settings to the configuration (missing here: exit 1, not 2).
  assert.is(run({ CHATCORE_DRAIN_MS: '25s' }).status, 1);
});

test.run();
