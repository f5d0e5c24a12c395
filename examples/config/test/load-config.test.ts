import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@chatcore/core';
import { loadConfig, stringifyConfig, type ConfigProblem } from '@chatcore/core/config';
// The plugin packages own their sections: importing them registers them.
import '@chatcore/encryption';
import '@chatcore/cache';
import '@chatcore/audit';
import '@chatcore/metrics';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const examplePath = fileURLToPath(new URL('../chatcore.yaml', import.meta.url));

function problemsOf(fn: () => unknown): { error: ConfigError; problems: ConfigProblem[] } {
  try {
    fn();
  } catch (error) {
    assert.instance(error, ConfigError);
    return { error: error as ConfigError, problems: [...(error as ConfigError).problems] };
  }
  throw new Error('expected a ConfigError');
}

test('a file with five different mistakes reports all five, each with its YAML path and line', () => {
  const { error, problems } = problemsOf(() => loadConfig(fixture('config-five-mistakes.yaml'), { env: {} }));
  assert.equal(problems.map((p) => p.path), [
    'database.connection_pool_size',
    'database.query_timeout',
    'database.pasword',
    'encryption.root_key',
    'audit.reads',
  ]);
  assert.equal(problems.map((p) => p.line), [5, 6, 7, 9, 14]);
  assert.match(problems[0]!.message, /expected an integer/);
  assert.match(problems[1]!.message, /duration/);
  assert.match(problems[2]!.message, /unknown key \(did you mean password\?\)/);
  assert.match(problems[3]!.message, /CHATCORE_TEST_ROOT_KEY is not set/);
  assert.match(problems[4]!.message, /expected all, none or a map \{ sample_rate: 0\.\.1 \}, got a string "sometimes"/);
  assert.match(error.message, /has 5 problems/);
  for (const p of problems) assert.ok(error.message.includes(`${p.path} (line ${p.line})`), p.path);
  assert.is(error.code, 'CONFIG');
});

test('an unset ${VAR} is an error naming VAR and the path; nothing else is reported for that key', () => {
  const { problems } = problemsOf(() => loadConfig('database:\n  backend: postgres\n  url: ${DATABASE_URL}\n', { env: {} }));
  assert.equal(problems.length, 1);
  assert.is(problems[0]!.path, 'database.url');
  assert.is(problems[0]!.line, 3);
  assert.match(problems[0]!.message, /environment variable DATABASE_URL is not set/);
});

test('secrets are never echoed: not the file values, not the environment values, not in YAML syntax errors', () => {
  const envSecret = 'env-short-4d2k';
  const { error, problems } = problemsOf(() => loadConfig(fixture('config-secrets.yaml'), { env: { KEY_FROM_ENV: envSecret } }));
  const text = readFileSync(fixture('config-secrets.yaml'), 'utf8');
  const secrets = [...text.matchAll(/([a-z0-9:/@.-]*secret[a-z0-9:/@.-]*|short-7c1e|pw-secret-b71c)/g)].map((m) => m[1]!)
    .filter((s) => s.length > 6);
  secrets.push(envSecret, 'redis-secret-9q2w', 'not-a-url-but-secret-7f3a9', 'passphrase-secret-e5a2-long');
  const everything = error.message + JSON.stringify(problems) + JSON.stringify(error.info) + String(error.stack);
  for (const s of secrets) assert.not.ok(everything.includes(s), `secret ${s} was echoed`);
  const paths = problems.map((p) => p.path).sort();
  // Each problem is still named by its path, so the operator knows what to fix.
  for (const p of ['database.url', 'encryption.root_key', 'encryption.keys[0].key', 'cache.redis_url']) assert.ok(paths.includes(p), p);

  // The yaml library quotes the offending line in its own messages; ours do not.
  const broken = problemsOf(() => loadConfig('database:\n  password: "unterminated-secret-8812\n  host: x\n', { env: {} }));
  assert.not.ok(broken.error.message.includes('unterminated-secret-8812'));
  assert.is(broken.problems[0]!.path, '(yaml)');
  assert.match(broken.problems[0]!.message, /YAML syntax/);

  // A secret under an unknown key: the key is named, the value is not.
  const typo = problemsOf(() => loadConfig('encryption:\n  rootkey: typo-secret-0a9b8c7d6e5f\n', { env: {} }));
  assert.ok(typo.problems.some((p) => p.path === 'encryption.rootkey' && /did you mean root_key/.test(p.message)));
  assert.not.ok(typo.error.message.includes('typo-secret-0a9b8c7d6e5f'));
});

test('non-secret wrong values are quoted to help the operator', () => {
  const { problems } = problemsOf(() => loadConfig('database:\n  backend: memory\n  schema_mode: applied\n', { env: {} }));
  assert.match(problems[0]!.message, /got a string "applied"/);
});

test('durations: milliseconds, "500ms", "30s", "2m", "1h"; bad ones are reported', () => {
  const ms = (v: string) => loadConfig(`database:\n  backend: memory\n  query_timeout: ${v}\n`, { env: {} }).database.queryTimeout;
  assert.is(ms('250'), 250);
  assert.is(ms('500ms'), 500);
  assert.is(ms('30s'), 30_000);
  assert.is(ms('2m'), 120_000);
  assert.is(ms('1h'), 3_600_000);
  assert.is(ms('1.5s'), 1500);
  assert.is(loadConfig('cache:\n  ttl: ${TTL}\n', { env: { TTL: '45s' } }).cache?.ttl, 45_000);
  for (const bad of ['-5', '30 seconds', 'soon', '"10x"', '0']) {
    const { problems } = problemsOf(() => ms(bad));
    assert.is(problems[0]!.path, 'database.query_timeout', bad);
  }
});

test('url and host/port are alternatives; postgres needs one of them', () => {
  const byUrl = loadConfig('database:\n  backend: postgres\n  url: ${DATABASE_URL}\n', { env: { DATABASE_URL: 'postgres://u:p@h:5432/d' } });
  assert.is(byUrl.database.url, 'postgres://u:p@h:5432/d');
  const byHost = loadConfig('database:\n  backend: postgres\n  host: db\n  port: ${PGPORT:-5433}\n  database_name: chat\n  username: app\n  password: ${PGPASSWORD}\n', {
    env: { PGPASSWORD: 'pw' },
  });
  assert.equal([byHost.database.host, byHost.database.port, byHost.database.databaseName, byHost.database.username], ['db', 5433, 'chat', 'app']);
  const both = problemsOf(() => loadConfig('database:\n  backend: postgres\n  url: postgres://h/d\n  host: h\n  port: 5432\n', { env: {} }));
  assert.equal(both.problems.map((p) => p.path), ['database.host', 'database.port']);
  assert.match(both.problems[0]!.message, /either url or host/);
  const neither = problemsOf(() => loadConfig('database:\n  backend: postgres\n', { env: {} }));
  assert.is(neither.problems[0]!.path, 'database.host');
  const foreign = problemsOf(() => loadConfig('database:\n  backend: pglite\n  host: db\n', { env: {} }));
  assert.match(foreign.problems[0]!.message, /does not apply to backend pglite/);
});

test('interpolation: defaults, $${ escapes, numbers and booleans from the environment', () => {
  const cfg = loadConfig(
    'database:\n  backend: pglite\n  data_dir: "$${HOME}/${SUB:-data}"\n  connection_pool_size: ${POOL}\n  schema_mode: ${MODE:-verify}\nmetrics:\n  enabled: ${METRICS_ON}\n',
    { env: { POOL: '7', METRICS_ON: 'false', SUB: '' } },
  );
  assert.is(cfg.database.dataDir, '${HOME}/data');
  // Written back, the literal ${ is escaped again, so it survives a second load.
  assert.equal(loadConfig(stringifyConfig(cfg), { env: {} }), cfg);
  assert.is(cfg.database.connectionPoolSize, 7);
  assert.is(cfg.database.schemaMode, 'verify');
  assert.is(cfg.metrics?.enabled, false);
  // A quoted "7" written in the file is a string, not a number: only environment values are converted.
  const quoted = problemsOf(() => loadConfig('database:\n  connection_pool_size: "7"\n', { env: {} }));
  assert.is(quoted.problems[0]!.path, 'database.connection_pool_size');
  const malformed = problemsOf(() => loadConfig('database:\n  data_dir: ${not a name}\n', { env: {} }));
  assert.match(malformed.problems[0]!.message, /not a variable name/);
});

test('unknown sections, __proto__ and constructor keys are rejected without touching prototypes', () => {
  const { problems } = problemsOf(() => loadConfig('databse:\n  backend: memory\n__proto__:\n  polluted: true\ncache:\n  constructor: 1\n  repositories:\n    __proto__: { ttl: 1s }\n', { env: {} }));
  assert.equal(problems.map((p) => p.path), ['databse', '__proto__', 'cache.constructor', 'cache.repositories.__proto__']);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('an empty file gives the embedded default with every default filled in', () => {
  const cfg = loadConfig('', { env: {} });
  assert.equal(cfg.database, {
    backend: 'pglite', connectionPoolSize: 10, queryTimeout: 30_000, replicaUrls: [], schemaMode: 'apply',
  });
  assert.is(cfg.cache, undefined);
});

test('cross-key rules of the plugin sections are checked', () => {
  const { problems } = problemsOf(() => loadConfig(
    'encryption:\n  root_key: ${K}\n  passphrase: long-enough-passphrase\naudit:\n  sinks: { console: false }\n  reads: { sample_rate: 2 }\n',
    { env: { K: 'A'.repeat(43) + '=' } },
  ));
  assert.equal(problems.map((p) => p.path), ['encryption', 'encryption.passphrase_salt', 'audit.sinks', 'audit.reads.sample_rate']);
  const keyring = problemsOf(() => loadConfig(`encryption:\n  keys:\n    - { id: a, key: ${'A'.repeat(43)}= }\n    - { id: a, key: ${'B'.repeat(43)}= }\n`, { env: {} }));
  assert.ok(keyring.problems.some((p) => /exactly one key must be active/.test(p.message)));
  assert.ok(keyring.problems.some((p) => /unique/.test(p.message)));
});

test('YAML shapes that are not a stack file are reported as problems: duplicate keys, tabs, several documents, alias bombs, a list at the root', () => {
  const cases: Array<[string, RegExp]> = [
    ['database:\n  backend: memory\n  backend: pglite\n', /a key appears twice/],
    ['database:\n\tbackend: memory\n', /tabs cannot indent/],
    ['---\ndatabase: {}\n---\ncache: {}\n', /several YAML documents/],
    ['- database\n', /expected a map of sections/],
    ['a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', /more than 100 YAML aliases/],
    ['database:\n  password: !!binary aGVsbG8=\n', /database\.password.*expected a string/],
  ];
  for (const [yaml, expected] of cases) {
    const { error } = problemsOf(() => loadConfig(yaml, { env: {} }));
    assert.match(error.message, expected);
  }
});

test('the example stack file loads, and stringify then load gives the same configuration', () => {
  const env = {
    DATABASE_URL: 'postgres://app:pw@db:5432/chat',
    DATABASE_REPLICA_URL: 'postgres://app:pw@replica:5432/chat',
    CHATCORE_KEY_2026: `${'A'.repeat(43)}=`,
    CHATCORE_KEY_2025: `${'B'.repeat(43)}=`,
    CHATCORE_BLIND_INDEX_KEY: `${'C'.repeat(43)}=`,
  };
  const cfg = loadConfig(examplePath, { env });
  assert.is(cfg.database.backend, 'postgres');
  assert.is(cfg.database.queryTimeout, 5000);
  assert.is(cfg.database.connectionPoolSize, 20);
  assert.is(cfg.encryption?.keys?.find((k) => k.active)?.id, 'k2026');
  assert.is(cfg.cache?.repositories?.messages?.ttl, 10_000);
  assert.is(cfg.audit?.slowQueryThreshold, 250);
  assert.equal(cfg.audit?.reads, { sampleRate: 0.1 });
  assert.is(cfg.metrics?.prefix, 'chatbot_');

  const again = loadConfig(stringifyConfig(cfg, { redactSecrets: false }), { env: {} });
  assert.equal(again, cfg);

  const safe = stringifyConfig(cfg);
  for (const secret of Object.values(env)) assert.not.ok(safe.includes(secret), 'redacted output holds a secret');
  assert.match(safe, /url: "\[redacted\]"/);
});

test('one vocabulary: the ssl shape (use_ssl is refused naming ssl), breaker and retry shapes, durations and sizes', () => {
  const old = problemsOf(() => loadConfig('database:\n  backend: postgres\n  host: db\n  use_ssl: true\n  ssl_ca: /etc/ca.pem\n', { env: {} }));
  assert.equal(old.problems.map((p) => p.path), ['database.use_ssl', 'database.ssl_ca']);
  assert.match(old.problems[0]!.message, /TLS has one key, ssl \(ssl: true, or ssl: \{ ca, cert, key, reject_unauthorized \}\)/);
  const cfg = loadConfig([
    'database:', '  backend: postgres', '  host: db', '  ssl: { ca: /etc/ca.pem }',
    '  retry: { max_retries: 2, initial_delay: 20ms, max_delay: 1s }', '  breaker: { failures: 3, half_open_after: 2s }',
    'cache:', '  local_max_bytes: 64MiB', '  redis_timeout: 150ms', '  breaker: { failures: 4, half_open_after: 500ms }', '',
  ].join('\n'), { env: {} });
  assert.equal(cfg.database.ssl, { ca: '/etc/ca.pem', rejectUnauthorized: true });
  assert.equal(cfg.database.retry, { maxRetries: 2, initialDelay: 20, maxDelay: 1000 });
  assert.equal(cfg.database.breaker, { failures: 3, halfOpenAfter: 2000 });
  assert.is(cfg.cache?.localMaxBytes, 64 * 1024 * 1024);
  assert.equal(cfg.cache?.breaker, { failures: 4, halfOpenAfter: 500 });
  assert.is(loadConfig('database:\n  backend: postgres\n  host: db\n  ssl: true\n', { env: {} }).database.ssl, true);
  const bad = problemsOf(() => loadConfig('database:\n  backend: postgres\n  host: db\n  ssl: yes please\n  breaker: { threshold: 3 }\ncache:\n  local_max_bytes: 64 megs\n', { env: {} }));
  assert.equal(bad.problems.map((p) => p.path), ['database.ssl', 'database.breaker.threshold', 'cache.local_max_bytes']);
  assert.match(bad.problems[1]!.message, /unknown key; allowed keys: failures, half_open_after/);
  assert.match(bad.problems[2]!.message, /a size in bytes or like "64MiB"/);
});

test('a missing file is a ConfigError naming the path', () => {
  const { error } = problemsOf(() => loadConfig('/nonexistent/chatcore.yaml'));
  assert.match(error.message, /Cannot read the configuration file \/nonexistent\/chatcore\.yaml \(ENOENT\)/);
});

test.run();
