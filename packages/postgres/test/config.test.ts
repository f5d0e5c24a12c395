import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { createStack, getBackend, loadConfig, SecretValue } from '@chatcore/core/config';
import { configErrorOf, requireService } from '@chatcore/core/testing';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { createPool, postgres, postgresConfigFrom, type PostgresConfig } from '../src/index.js';
import { PG_URL, testConfig } from './helpers/pg-config.js';

await requireService('postgres');

const notes = defineRepository('notes', { id: f.id(), body: f.text(), version: f.version() }, { table: `notes_${suffix()}` });

test('a YAML configuration with backend: postgres builds a working database (snake_case keys, ${VAR} url, durations)', async () => {
  const yaml = 'database:\n  backend: postgres\n  url: ${TEST_PG_URL}\n  connection_pool_size: 3\n  query_timeout: 2s\n';
  const db = await createStack({ config: yaml, env: { TEST_PG_URL: PG_URL }, repositories: { notes } });
  await db.connect();
  try {
    const n = await db.notes.create({ body: 'from config' });
    assert.is((await db.notes.get(n.id))?.body, 'from config');
    const { rows } = await (db.driver as ReturnType<typeof postgres>).executor.execute({ sql: 'show statement_timeout', parameters: [] });
    assert.is(rows[0]!.statement_timeout, '2s');
    const lock = await (db.driver as ReturnType<typeof postgres>).executor.execute({ sql: 'show lock_timeout', parameters: [] });
    assert.is(lock.rows[0]!.lock_timeout, '2s', 'query_timeout also bounds lock waits');
  } finally {
    await db.close();
  }
});

test('database settings map to postgres options; TLS files that cannot be read are a ConfigError', () => {
  const cfg = loadConfig('database:\n  backend: postgres\n  host: db.internal\n  port: 6543\n  database_name: app\n  username: svc\n  connection_pool_size: 7\n  query_timeout: 1500\n  replica_urls: [postgres://replica-1/app]\n').database;
  const options = postgresConfigFrom(cfg);
  assert.equal(
    { host: options.host, port: options.port, database: options.database, user: options.user, poolSize: options.poolSize, queryTimeout: options.queryTimeout, replicaUrls: options.replicaUrls?.map((u) => SecretValue.reveal(u)), ssl: options.ssl },
    { host: 'db.internal', port: 6543, database: 'app', user: 'svc', poolSize: 7, queryTimeout: 1500, replicaUrls: ['postgres://replica-1/app'], ssl: undefined },
  );
  const tls = loadConfig('database:\n  backend: postgres\n  host: db\n  ssl: { ca: /nonexistent/ca.pem }\n').database;
  assert.throws(() => postgresConfigFrom(tls), (e: unknown) => e instanceof ConfigError && /ssl\.ca/.test((e as Error).message));
  assert.type(getBackend('postgres'), 'function');
});

test('a poolSize that is not a whole number >= 1 is a ConfigError naming postgres.poolSize, from postgres() and createPool()', () => {
  const bad: Array<[unknown, string]> = [
    [0, 'a number 0'], [-1, 'a number -1'], [1.5, 'a number 1.5'], ['10', 'a string'], [Number.NaN, 'a number NaN'],
  ];
  for (const [poolSize, got] of bad) {
    const config = testConfig({ poolSize: poolSize as number });
    for (const build of [() => postgres(config), () => createPool(config)]) {
      const error = configErrorOf(build);
      assert.is(error.message, `postgres.poolSize: expected an integer >= 1, got ${got}.`);
      assert.equal(error.problems, [{ path: 'postgres.poolSize', message: `expected an integer >= 1, got ${got}` }]);
    }
  }
});

test('text settings that are not strings, a port out of range and replicaUrls that is not a list are ConfigErrors, never a crash in pg', () => {
  const cases: Array<[Partial<PostgresConfig>, string]> = [
    [{ url: 12 as never }, 'postgres.url: expected a string (or a SecretValue), got number.'],
    [{ url: {} as never }, 'postgres.url: expected a string (or a SecretValue), got object.'],
    [{ url: undefined, host: 5 as never, database: 'test' }, 'postgres.host: expected a string, got number.'],
    [{ user: ['postgres'] as never }, 'postgres.user: expected a string, got an array.'],
    [{ password: 1234 as never }, 'postgres.password: expected a string (or a SecretValue), got number.'],
    [{ port: 70000 }, 'postgres.port: expected an integer between 1 and 65535, got a number 70000.'],
    [{ replicaUrls: PG_URL as never }, 'postgres.replicaUrls: expected an array of URLs.'],
  ];
  for (const [patch, message] of cases) {
    const error = configErrorOf(() => postgres(testConfig(patch)));
    assert.is(error.message, message);
  }
});

test('a replica URL of another scheme is refused like the primary url: in chatcore.yaml and from postgres()', () => {
  const yaml = 'database:\n  backend: postgres\n  url: postgres://db/app\n  replica_urls: [postgresql://r1/app, mysql://u:hunter2@r2/app]\n';
  const error = configErrorOf(() => loadConfig(yaml));
  assert.equal(error.problems.map((p) => [p.path, p.message]), [['database.replica_urls[1]', 'expected a postgres:// or postgresql:// URL']]);
  const primary = configErrorOf(() => loadConfig('database:\n  backend: postgres\n  url: mysql://db/app\n'));
  assert.equal(primary.problems.map((p) => p.message), error.problems.map((p) => p.message));

  const direct = configErrorOf(() => postgres(testConfig({ replicaUrls: [PG_URL, 'mysql://u:hunter2@r2/app'] })));
  assert.is(direct.message, 'postgres: replicaUrls[1] must be a postgres:// or postgresql:// URL, not mysql://.');
  assert.not.match(direct.message, /hunter2/);
});

test('a primary url of another scheme is refused by postgres() and createPool(), without the URL', async () => {
  for (const url of ['mysql://u:hunter2@127.0.0.1:5432/test', 'http://u:hunter2@127.0.0.1:5432/test', '127.0.0.1:5432/test']) {
    const direct = configErrorOf(() => postgres({ url }));
    assert.match(direct.message, /^postgres: url must be a postgres:\/\/ or postgresql:\/\/ URL/);
    assert.not.match(direct.message, /hunter2/);
    assert.equal(direct.problems.map((p) => p.path), ['url']);
    configErrorOf(() => createPool({ url: new SecretValue(url) }));
  }
  assert.match(configErrorOf(() => postgres({ url: 'mysql://u:hunter2@db/app' })).message, /, not mysql:\/\/\.$/);
  // Both spellings pg knows still connect.
  for (const url of [PG_URL, PG_URL.replace(/^postgres:/, 'postgresql:')]) {
    const db = createDatabase({ driver: postgres(testConfig({ url })), repositories: { notes } });
    await db.connect();
    try {
      assert.type(await db.notes.count(), 'number');
    } finally {
      await db.close();
    }
  }
});

/** Connect with `url` and return the ConnectionError, checking it is final and not worded as a server that is down. */
async function refusedConnect(url: URL): Promise<ConnectionError> {
  const db = createDatabase({ driver: postgres(testConfig({ url: url.href })), repositories: { notes } });
  try {
    await db.connect();
    return assert.unreachable('connect should fail');
  } catch (err) {
    assert.instance(err, ConnectionError);
    assert.not.match((err as Error).message, /could not be reached|server is up/);
    assert.is((err as ConnectionError).info.transient, false, 'not retried');
    return err as ConnectionError;
  } finally {
    await db.close();
  }
}

test('a database that does not exist is reported as such, not as a server that cannot be reached', async () => {
  const url = new URL(PG_URL);
  url.pathname = `/no_such_db_${suffix()}`;
  const err = await refusedConnect(url);
  assert.match(err.message, new RegExp(`database "${url.pathname.slice(1)}" does not exist on the server`));
});

test('an unknown role is reported as refused authentication, not as a server that cannot be reached', async () => {
  const url = new URL(PG_URL);
  url.username = `no_such_role_${suffix()}`;
  const err = await refusedConnect(url);
  assert.match(err.message, /refused to authenticate the connection \(28000: role "no_such_role_/);
});

test('a bad replicaPoolSize is a ConfigError naming postgres.replicaPoolSize, not poolSize', () => {
  for (const [replicaPoolSize, got] of [[0, 'a number 0'], [1.5, 'a number 1.5'], ['2', 'a string']] as Array<[unknown, string]>) {
    const error = configErrorOf(() => postgres(testConfig({ replicaUrls: [PG_URL], replicaPoolSize: replicaPoolSize as number })));
    assert.is(error.message, `postgres.replicaPoolSize: expected an integer >= 1, got ${got}.`);
  }
});

test('an unset poolSize gives pools of 10 connections; a whole number >= 1 is taken as it is', async () => {
  for (const [config, max] of [[testConfig({ poolSize: undefined }), 10], [testConfig({ poolSize: 1 }), 1], [testConfig({ poolSize: 25 }), 25]] as Array<[PostgresConfig, number]>) {
    const pool = createPool(config);
    assert.is(pool.options.max, max);
    await pool.end();
  }
});

test.after(async () => {
  const admin = postgres(testConfig({ poolSize: 1 }));
  await dropTables(admin.executor, [notes.schema.table]);
  await admin.close();
});

test.run();
