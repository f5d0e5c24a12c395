import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, defineRepository, f } from '@chatcore/core';
import { createStack, getBackend, loadConfig, SecretValue } from '@chatcore/core/config';
import { requireService } from '@chatcore/core/testing';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { postgres, postgresConfigFrom } from '../src/index.js';
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

test.after(async () => {
  const admin = postgres(testConfig({ poolSize: 1 }));
  await dropTables(admin.executor, [notes.schema.table]);
  await admin.close();
});

test.run();
