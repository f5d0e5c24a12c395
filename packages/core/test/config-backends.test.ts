import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, defineRelations, defineRepository, f } from '@chatcore/core';
import { c, createStack, registerSection, unregisterSection, getBackend, listBackends, loadConfig, registerBackend, resolveDatabaseConfig, unregisterBackend, type ResolvedDatabaseConfig } from '@chatcore/core/config';
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
  const db = await createStack({ config: 'database:\n  backend: memory\n  query_timeout: 2s\n', env: {}, repositories: { notes } });
  await db.connect();
  const n = await db.notes.create({ title: 'hello' });
  assert.equal((await db.notes.get(n.id))?.title, 'hello');
  assert.is(n.version, 1);
  await db.close();
});

test('a stack takes relations: include reads the related records', async () => {
  const tags = defineRepository('tags', { id: f.id(), noteId: f.string().indexed(), label: f.string() });
  const repositories = { notes, tags };
  const relations = defineRelations(repositories, { notes: (r) => ({ tags: r.many('tags', { field: 'noteId' }) }) });
  const db = await createStack({ config: 'database:\n  backend: memory\n', env: {}, repositories, relations });
  await db.connect();
  const n = await db.notes.create({ title: 'tagged' });
  await db.tags.createMany([{ noteId: n.id, label: 'a' }, { noteId: n.id, label: 'b' }]);
  const found = await db.notes.get(n.id, { include: { tags: { orderBy: { label: 'asc' } } } });
  assert.equal(found?.tags.map((t) => t.label), ['a', 'b']);
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
  // Only memory is registered here; the built-in backends are named with their packages,
  // so an operator does not read "Registered backends: memory" as "postgres is not available".
  assert.match(custom.message, /built-in backends pglite \(@chatcore\/pglite\), postgres \(@chatcore\/postgres\), firestore \(@chatcore\/firestore\) register when their package is imported/);
  const viaConfig = await configErrorAsync(() =>
    createStack({ config: 'database:\n  backend: nosuchdb\n', env: {}, repositories: { notes } }));
  assert.match(viaConfig.message, /nosuchdb/);
});

test('a stack file with sensitive fields and no encryption section names the section to add', async () => {
  const people = defineRepository('people', { id: f.id(), ssn: f.string().sensitive() });
  const e = await configErrorAsync(() => createStack({ config: 'database:\n  backend: memory\n', env: {}, repositories: { people } }));
  assert.match(e.message, /Sensitive fields \(people\.ssn\) need an encryption plugin: .*\(in chatcore\.yaml, an encryption section\)/);
});

test('a registered backend receives the checked, camelCased settings with defaults and ms durations', async () => {
  let seen: ResolvedDatabaseConfig | undefined;
  const factory = async (cfg: ResolvedDatabaseConfig) => { seen = cfg; return memoryDriver(); };
  registerBackend('custom-kv', factory);
  try {
    registerBackend('custom-kv', factory); // the same factory again: no-op
    const db = await createStack({
      config: 'database:\n  backend: custom-kv\n  url: kv://${KV_HOST}\n  query_timeout: 1m\n  connection_pool_size: 3\n',
      env: { KV_HOST: 'kv.internal' },
      repositories: { notes },
    });
    assert.equal(seen, {
      backend: 'custom-kv', url: 'kv://kv.internal', connectionPoolSize: 3,
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

// Sections as plugin packages register them (the real ones live in @chatcore/encryption, cache, audit, metrics).
const got: Record<string, unknown> = {};
const plugin = (name: string, placement?: Plugin['placement']): Plugin => ({ name, ...(placement ? { placement } : {}) });
const fakeSections = [
  { name: 'fakecache', rank: 40, schema: c.object({ enabled: c.boolean().default(true), ttl: c.duration() }), placement: { storesData: true } },
  { name: 'fakecrypt', rank: 30, schema: c.object({ rootKey: c.string({ min: 16 }).secret() }, { required: ['rootKey'] }), placement: { protectsSensitive: true } },
  { name: 'fakeaudit', rank: 20, schema: c.object({ slowQueryThreshold: c.duration() }) },
  { name: 'fakemetrics', rank: 10, schema: c.object({ prefix: c.string() }) },
] as const;
function registerFakes(): void {
  for (const s of fakeSections) {
    registerSection({
      name: s.name, package: `@chatcore-test/${s.name}`, schema: s.schema, rank: s.rank,
      build: async (section: Record<string, unknown>) => {
        got[s.name] = section;
        return section.enabled === false ? undefined : plugin(s.name, 'placement' in s ? s.placement : undefined);
      },
    });
  }
}
function unregisterFakes(): void {
  for (const s of fakeSections) unregisterSection(s.name);
}

test('registered sections build their plugins ordered by rank, outermost first', async () => {
  registerFakes();
  try {
    const yaml = [
      'database: { backend: memory }',
      'fakecache: { ttl: 30s }',
      'fakecrypt: { root_key: "${ROOT_KEY}" }',
      'fakeaudit: { slow_query_threshold: 1s }',
      'fakemetrics: { prefix: app_ }',
    ].join('\n');
    const db = await createStack({
      config: yaml, env: { ROOT_KEY: 'r'.repeat(44) }, repositories: { notes }, plugins: [plugin('tenancy')],
    });
    assert.equal(db.plugins.map((p) => p.name), ['tenancy', 'fakemetrics', 'fakeaudit', 'fakecrypt', 'fakecache']);
    assert.equal(got.fakecache, { enabled: true, ttl: 30_000 });
    assert.equal(got.fakecrypt, { rootKey: 'r'.repeat(44) });
    assert.equal(got.fakeaudit, { slowQueryThreshold: 1000 });
    await db.close();

    const off = await createStack({ config: 'database: { backend: memory }\nfakecache: { enabled: false }\n', env: {}, repositories: { notes } });
    assert.equal(off.plugins.map((p) => p.name), []);
    await off.close();
  } finally {
    unregisterFakes();
  }
});

test('the section registry is one per process: a second copy of core sees the sections the first registered', async () => {
  registerFakes();
  try {
    const registry = (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for('chatcore.config.sections')]!;
    assert.ok(registry.has('fakecache'));
    // What the dist copy of core would do: read the same map, whatever module instance it is.
    const cfg = loadConfig('fakecache: { ttl: 2s }\n', { env: {} }) as Record<string, unknown>;
    assert.equal(cfg.fakecache, { enabled: true, ttl: 2000 });
    const clash = configError(() => registerSection({ name: 'fakecache', package: '@other/pkg', schema: c.object({}), rank: 1, build: () => undefined }));
    assert.match(clash.message, /already registered by @chatcore-test\/fakecache/);
  } finally {
    unregisterFakes();
  }
});

test('a section of a chatcore plugin that is not installed names the package to add; other problems are reported with it', async () => {
  // @chatcore/cache is not a dependency of core, so it cannot be resolved from here.
  const e = await configErrorAsync(() => createStack({
    config: 'database:\n  backend: memory\n  pool: 3\ncache:\n  ttl: 30s\ncahce: {}\n', env: {}, repositories: { notes }, resolveFrom: process.cwd(),
  }));
  assert.equal(e.problems.map((p) => p.path), ['database.pool', 'cache', 'cahce']);
  assert.match(e.problems[1]!.message, /section cache needs @chatcore\/cache, which is not installed: pnpm add @chatcore\/cache/);
  assert.match(e.problems[2]!.message, /unknown section \(did you mean cache\?\)/);
  const sync = configError(() => loadConfig('cache: {}\n', { env: {} }));
  assert.match(sync.message, /section cache needs @chatcore\/cache, which is not loaded/);
});

test('a stack that createDatabase refuses (cache above encryption) is an error and the driver it built is closed', async () => {
  registerFakes();
  let closed = 0;
  registerBackend('closing-memory', () => {
    const d = memoryDriver();
    const close = d.close.bind(d);
    d.close = async () => { closed++; await close(); };
    return d;
  });
  try {
    const e = await configErrorAsync(() => createStack({
      config: 'database: { backend: closing-memory }\nfakecrypt: { root_key: "${K}" }\nfakecache: {}\n',
      env: { K: 'k'.repeat(32) },
      repositories: { notes },
      plugins: (configured) => [...configured].reverse(),
    }));
    assert.match(e.message, /must sit below fakecrypt/);
    assert.is(closed, 1);
  } finally {
    unregisterBackend('closing-memory');
    unregisterFakes();
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
