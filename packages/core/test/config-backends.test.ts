import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, defineRepository, f } from '@chatcore/core';
import { createDatabaseFromConfig, getBackend, listBackends, loadConfig, registerBackend, resolveDatabaseConfig, unregisterBackend, type ResolvedDatabaseConfig } from '@chatcore/core/config';
import { memoryDriver } from '@chatcore/core/driver';
import { type Plugin } from '@chatcore/core/plugin';

const notes = defineRepository('notes', {
  id: f.id(),
  title: f.string({ max: 100 }),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

async function configErrorAsync(fn: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await fn();
  } catch (e) {
    assert.instance(e, ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

test('the memory backend is registered by core itself and builds a working database from YAML', async () => {
  assert.ok(listBackends().includes('memory'));
  const db = await createDatabaseFromConfig({ config: 'database:\n  backend: memory\n  query_timeout: 2s\n', env: {}, repositories: { notes } });
  await db.connect();
  const n = await db.notes.create({ title: 'hello' });
  assert.equal((await db.notes.get(n.id))?.title, 'hello');
  assert.is(n.version, 1);
  await db.close();
});

test('an unknown backend is a ConfigError naming the registered backends and the package to import', async () => {
  const e = configError(() => getBackend('postgres'));
  assert.match(e.message, /Unknown database backend "postgres"/);
  assert.match(e.message, /Registered backends: .*memory/);
  assert.match(e.message, /import '@chatcore\/postgres'/);
  assert.is(e.problems[0]?.path, 'database.backend');
  const custom = configError(() => getBackend('cassandra'));
  assert.match(custom.message, /registerBackend/);
  const viaConfig = await configErrorAsync(() =>
    createDatabaseFromConfig({ config: 'database:\n  backend: nosuchdb\n', env: {}, repositories: { notes } }));
  assert.match(viaConfig.message, /nosuchdb/);
});

test('a registered backend receives the checked, camelCased settings with defaults and ms durations', async () => {
  let seen: ResolvedDatabaseConfig | undefined;
  const factory = async (cfg: ResolvedDatabaseConfig) => { seen = cfg; return memoryDriver(); };
  registerBackend('custom-kv', factory);
  try {
    registerBackend('custom-kv', factory); // the same factory again: no-op
    const db = await createDatabaseFromConfig({
      config: 'database:\n  backend: custom-kv\n  url: kv://${KV_HOST}\n  query_timeout: 1m\n  connection_pool_size: 3\n',
      env: { KV_HOST: 'kv.internal' },
      repositories: { notes },
    });
    assert.equal(seen, {
      backend: 'custom-kv', url: 'kv://kv.internal', useSsl: false, sslRejectUnauthorized: true, connectionPoolSize: 3,
      queryTimeout: 60_000, replicaUrls: [], schemaMode: 'apply',
    });
    await db.close();
    const clash = configError(() => registerBackend('custom-kv', () => memoryDriver()));
    assert.match(clash.message, /already registered/);
    registerBackend('custom-kv', () => memoryDriver(), { replace: true });
  } finally {
    assert.ok(unregisterBackend('custom-kv'));
  }
  assert.not.ok(listBackends().includes('custom-kv'));
  for (const bad of ['', 'Upper', 'has space', '../x', '__proto__']) configError(() => registerBackend(bad, () => memoryDriver()));
});

test('plugins are built from the sections and ordered [metrics, audit, encryption, cache], outermost first', async () => {
  const got: Record<string, unknown> = {};
  const plugin = (name: string, placement?: Plugin['placement']): Plugin => ({ name, ...(placement ? { placement } : {}) });
  const yaml = [
    'database: { backend: memory }',
    'cache: { ttl: 30s, repositories: { notes: { ttl: 5s } } }',
    'encryption: { root_key: "${ROOT_KEY}", sensitive_fields: [notes.title] }',
    'audit: { sink: console, slow_query_ms: 1s }',
    'metrics: { prefix: app_ }',
  ].join('\n');
  const db = await createDatabaseFromConfig({
    config: loadConfig(yaml, { env: { ROOT_KEY: 'r'.repeat(44) } }),
    repositories: { notes },
    plugins: [plugin('tenancy')],
    pluginFactories: {
      cache: (s) => { got.cache = s; return plugin('cache', { storesData: true }); },
      encryption: (s) => { got.encryption = s; return plugin('encryption', { protectsSensitive: true }); },
      audit: async (s) => { got.audit = s; return plugin('audit'); },
      metrics: (s) => { got.metrics = s; return plugin('metrics'); },
    },
  });
  assert.equal(db.plugins.map((p) => p.name), ['tenancy', 'metrics', 'audit', 'encryption', 'cache']);
  assert.equal(got.cache, { enabled: true, ttl: 30_000, repositories: { notes: { ttl: 5000 } } });
  assert.equal(got.encryption, { rootKey: 'r'.repeat(44), sensitiveFields: ['notes.title'] });
  assert.equal(got.audit, { sink: 'console', slowQueryMs: 1000 });
  assert.equal(got.metrics, { enabled: true, prefix: 'app_' });
  await db.close();

  const custom = await createDatabaseFromConfig({
    config: 'database: { backend: memory }\naudit: { sink: console }\n',
    env: {},
    repositories: { notes },
    plugins: (configured) => [...configured, plugin('inner')],
    pluginFactories: { audit: () => plugin('audit') },
  });
  assert.equal(custom.plugins.map((p) => p.name), ['audit', 'inner']);
  await custom.close();
});

test('a section without a plugin factory is an error naming the package; enabled: false skips it', async () => {
  const e = await configErrorAsync(() =>
    createDatabaseFromConfig({ config: 'database: { backend: memory }\nencryption: { root_key: "${K}" }\n', env: { K: 'k'.repeat(32) }, repositories: { notes } }));
  assert.match(e.message, /encryption section but no plugin factory/);
  assert.match(e.message, /@chatcore\/encryption/);
  assert.not.ok(e.message.includes('k'.repeat(32)));
  const db = await createDatabaseFromConfig({ config: 'database: { backend: memory }\ncache: { enabled: false }\n', env: {}, repositories: { notes } });
  assert.equal(db.plugins.map((p) => p.name), []);
  await db.close();
});

test('a stack that createDatabase refuses (cache above encryption) is an error and the driver it built is closed', async () => {
  let closed = 0;
  registerBackend('closing-memory', () => {
    const d = memoryDriver();
    const close = d.close.bind(d);
    d.close = async () => { closed++; await close(); };
    return d;
  });
  try {
    const e = await configErrorAsync(() => createDatabaseFromConfig({
      config: 'database: { backend: closing-memory }\nencryption: { root_key: "${K}" }\ncache: {}\n',
      env: { K: 'k'.repeat(32) },
      repositories: { notes },
      plugins: (configured) => [...configured].reverse(),
      pluginFactories: {
        encryption: () => ({ name: 'encryption', placement: { protectsSensitive: true } }),
        cache: () => ({ name: 'cache', placement: { storesData: true } }),
      },
    }));
    assert.match(e.message, /must sit below encryption/);
    assert.is(closed, 1);
  } finally {
    unregisterBackend('closing-memory');
  }
});

test('resolveDatabaseConfig checks TypeScript settings with camelCase paths and never echoes the password', () => {
  const ok = resolveDatabaseConfig({ backend: 'postgres', host: 'db', password: 'pw', queryTimeout: '500ms' });
  assert.is(ok.queryTimeout, 500);
  assert.is(ok.connectionPoolSize, 10);
  const e = configError(() => resolveDatabaseConfig({ backend: 'postgres', host: 'db', password: 12345 as unknown as string, connectionPoolSize: 0, poolSize: 3 } as never));
  assert.equal(e.problems.map((p) => p.path).sort(), ['database.connectionPoolSize', 'database.password', 'database.poolSize']);
  assert.not.ok(e.message.includes('12345'));
});

test.run();
