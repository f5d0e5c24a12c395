import { inspect } from 'node:util';
import { ConfigError, SchemaDriftError } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { HealthReport, ComponentHealth } from '../driver/driver.js';
import type { Plugin, PluginHost } from '../plugin/plugin.js';
import { checkPluginOrder } from '../plugin/check-order.js';
import { checkOptionKeys, optionKeys } from '../config/option-keys.js';
import { callDriver } from '../plugin/pipeline.js';
import type { MethodName, Operation } from '../plugin/operation.js';
import { runWithContext } from '../context/context-store.js';
import { RepositoryImpl } from '../repository/repository.js';
import { checkedSchema } from '../schema/checked-schema.js';
import { DatabaseRuntime } from './runtime.js';
import { databaseClosedError } from './closed-database.js';
import type { TransactionScopeState } from './transaction-scope.js';
import { throughReaders } from '../relations/through-readers.js';
import { checkRelations } from '../relations/check-relations.js';
import { includeHost } from '../relations/include-host.js';
import type { Relations } from '../relations/define-relations.js';
import type { ConnectOptions, Database, DatabaseOptions, RepositoryMap, TransactionCallOptions, TransactionScope } from './database-api.js';

/** The repository method a plugin-issued operation stands for (contexts name a method). */
const METHOD_OF_KIND: Readonly<Record<Operation['kind'], MethodName>> = {
  insert: 'createMany', get: 'getMany', query: 'find', count: 'count', aggregate: 'aggregate', update: 'updateMany', delete: 'deleteMany', upsert: 'upsert', rows: 'query',
};

const DATABASE_OPTION_KEYS = optionKeys<DatabaseOptions<RepositoryMap>>({
  driver: true, repositories: true, relations: true, plugins: true, schemaMode: true, allowPlaintextSensitive: true, defaultTimeout: true,
});

const CONNECT_OPTION_KEYS = optionKeys<ConnectOptions>({ schemaMode: true });

const RESERVED = new Set([
  'driver', 'plugins', 'schemas', 'connect', 'close', 'transaction', 'withContext', 'health', 'reportSecurityEvent', 'plugin',
  'transactionId', 'attempt', 'then', 'constructor', '__proto__', 'prototype', 'toJSON',
]);

function extendSchemas(plugins: readonly Plugin[], logical: readonly RepositorySchema[]): RepositorySchema[] {
  let schemas: readonly RepositorySchema[] = logical;
  for (const p of plugins) {
    if (!p.extendSchema) continue;
    const next = p.extendSchema(schemas);
    for (const s of next) {
      if (!schemas.some((x) => x.name === s.name) && s.ownedBy !== p.name) {
        throw new ConfigError(`Plugin ${p.name} added repository ${s.name} without marking it ownedBy: '${p.name}'.`);
      }
    }
    schemas = next;
  }
  return [...schemas];
}

/** Refuse two repositories stored in one table or collection: each would read the other's rows as its own. */
function checkDistinctTables(schemas: readonly RepositorySchema[]): void {
  const byTable = new Map<string, RepositorySchema>();
  const label = (s: RepositorySchema) => (s.ownedBy ? `${s.name} (of plugin ${s.ownedBy})` : s.name);
  for (const s of schemas) {
    const first = byTable.get(s.table);
    if (first) {
      throw new ConfigError(`Repositories ${label(first)} and ${label(s)} are both stored in table ${s.table}: each would read the other's rows as its own; give one of them another table (defineRepository(name, fields, { table: '...' })).`);
    }
    byTable.set(s.table, s);
  }
}

/**
 * Create a database: typed repositories over a driver, with plugins (outermost
 * first). Checks the plugin order and the schemas; call `connect()` before use.
 *
 * @example
 * ```ts
 * const db = createDatabase({
 *   driver: pglite(),
 *   repositories: { users, conversations, messages },
 *   plugins: [audit({ sinks: { console: true } }), encryption({ rootKey }), cache()],
 * });
 * await db.connect();
 * const ada = await db.users.create({ name: 'Ada' });
 * ```
 */
export function createDatabase<R extends RepositoryMap, Rel = {}>(options: DatabaseOptions<R, Rel>): Database<R, Rel> {
  checkOptionKeys(options, 'createDatabase', DATABASE_OPTION_KEYS);
  const { driver, repositories } = options;
  if (Array.isArray(repositories)) {
    throw new ConfigError('createDatabase: repositories must be an object { name: repository } (e.g. repositories: { users, messages }), not a list: the names become db.users, db.messages.', { problems: [{ path: 'createDatabase.repositories', message: 'expected an object { name: repository }, got a list' }] });
  }
  const plugins = [...(options.plugins ?? [])];
  if (!driver || typeof driver.query !== 'function') throw new ConfigError('createDatabase needs a driver, e.g. driver: pglite() or memoryDriver().');
  const entries = Object.entries(repositories ?? {});
  if (entries.length === 0) throw new ConfigError('createDatabase needs at least one repository.');
  const names = new Set<string>();
  for (const [key, def] of entries) {
    if (RESERVED.has(key)) throw new ConfigError(`"${key}" cannot be a repository property (it is a database method); choose another key.`);
    if (!def?.schema) throw new ConfigError(`repositories.${key} is not a repository: declare it with defineRepository().`);
    if (names.has(def.schema.name)) throw new ConfigError(`Two repositories are named ${def.schema.name}.`);
    names.add(def.schema.name);
  }
  const logical = entries.map(([, d]) => d.schema);
  checkPluginOrder(plugins, logical, options.allowPlaintextSensitive === true);
  const storageList = extendSchemas(plugins, logical);
  checkDistinctTables(storageList);
  const storage = new Map(storageList.map((s) => [s.name, s]));
  const runtime = new DatabaseRuntime(driver, plugins, storage, options.defaultTimeout);

  const root = new Map<string, RepositoryImpl>();
  for (const [key, def] of entries) {
    const stored = storage.get(def.schema.name)!;
    root.set(key, RepositoryImpl.create(checkedSchema(def.schema, stored), stored, runtime, undefined));
  }
  const byName = new Map([...root.values()].map((repo) => [repo.name, repo]));
  runtime.references.bind((name, scope) => RepositoryImpl.bound(byName.get(name)!, scope));
  const schemasByKey = new Map(entries.map(([key, def]) => [key, def.schema]));
  // Key fields are checked as the plugins store them too: one a plugin encrypts or seals is refused here.
  const storedByKey = new Map(entries.map(([key, def]) => [key, storage.get(def.schema.name)!]));
  const relations = checkRelations(options.relations as Relations | undefined, schemasByKey, storedByKey);
  if (relations.size) runtime.includes = includeHost(relations, root, driver.capabilities);

  const scopeRepos = (scope: TransactionScopeState): TransactionScope<R, Rel> => {
    const tx: Record<string, unknown> = { transactionId: scope.id, attempt: scope.attempt };
    for (const [key, repo] of root) tx[key] = RepositoryImpl.bound(repo, scope);
    tx.transaction = (fn: (t: TransactionScope<R, Rel>) => Promise<unknown>, opts?: TransactionCallOptions) =>
      runtime.transactions.nested(scope, scopeRepos, fn, opts);
    return tx as TransactionScope<R, Rel>;
  };

  const transaction = <T>(fn: (tx: TransactionScope<R, Rel>) => Promise<T>, opts?: TransactionCallOptions): Promise<T> =>
    runtime.closed ? Promise.reject(databaseClosedError('transaction')) : runtime.transactions.run(scopeRepos, fn, opts);

  let connected = false;
  let closed = false;
  const host: PluginHost = {
    schemas: storage,
    schema(name) {
      const s = storage.get(name);
      if (!s) throw new ConfigError(`No repository named ${name}.`);
      return s;
    },
    capabilities: driver.capabilities,
    readsThrough: throughReaders(relations, schemasByKey),
    session: driver,
    driver,
    plugins,
    reportSecurityEvent: (event) => reportSecurityEvent(event),
    async execute(from, op, ctx) {
      const index = plugins.findIndex((p) => p.name === from);
      if (index === -1) throw new ConfigError(`No plugin named ${from}.`);
      const context = runtime.context(METHOD_OF_KIND[op.kind], op, ctx, undefined);
      return runtime.pipeline.run(op, context, (o) => callDriver(driver, o, {}), index + 1);
    },
  };

  /** Verify mode: the plugins' findings (pending migrations) and the driver's, in one SchemaDriftError. */
  async function verify(): Promise<void> {
    const found: string[] = [];
    for (const p of plugins) if (p.verifySchema) found.push(...(await p.verifySchema(driver)));
    try {
      await driver.ensureSchema(storageList, { mode: 'verify' });
    } catch (err) {
      if (found.length === 0 || !(err instanceof SchemaDriftError)) throw err;
      throw new SchemaDriftError([...found, ...(err.info.differences as string[])], { cause: err });
    }
    if (found.length) throw new SchemaDriftError(found);
  }

  function reportSecurityEvent(event: Parameters<PluginHost['reportSecurityEvent']>[0]): void {
    for (const p of plugins) {
      if (!p.onSecurityEvent) continue;
      Promise.resolve()
        .then(() => p.onSecurityEvent!(event))
        .catch((e) => process.emitWarning(`chatcore plugin ${p.name} failed to record a security event: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  const api = {
    driver,
    plugins,
    schemas: storage as ReadonlyMap<string, RepositorySchema>,
    async connect(connectOptions?: ConnectOptions) {
      if (connected) return;
      if (closed) throw new ConfigError('This database was closed; create a new one.');
      checkOptionKeys(connectOptions, 'connect', CONNECT_OPTION_KEYS);
      await driver.connect();
      const mode = connectOptions?.schemaMode ?? options.schemaMode ?? 'apply';
      if (mode === 'verify') await verify();
      else if (mode !== 'off') await driver.ensureSchema(storageList, { mode });
      for (const p of [...plugins].reverse()) await p.connect?.(host);
      connected = true;
    },
    async close() {
      if (closed) return;
      closed = true;
      runtime.closed = true;
      const errors: unknown[] = [];
      for (const p of plugins) {
        try {
          await p.close?.();
        } catch (e) {
          errors.push(e);
        }
      }
      await driver.close();
      if (errors.length) throw errors[0];
    },
    transaction,
    withContext: runWithContext,
    async health(): Promise<HealthReport> {
      const report = await driver.health();
      const components: ComponentHealth[] = [...report.components];
      for (const p of plugins) {
        if (!p.health) continue;
        try {
          components.push(...(await p.health()));
        } catch (e) {
          components.push({ name: p.name, status: 'down', error: e instanceof Error ? e.message : String(e) });
        }
      }
      const status = components.some((c) => c.status === 'down') ? (report.status === 'down' ? 'down' : 'degraded') : components.some((c) => c.status === 'degraded') ? 'degraded' : 'up';
      return { status, components };
    },
    reportSecurityEvent,
    plugin<P extends Plugin = Plugin>(name: string): P | undefined {
      return plugins.find((p) => p.name === name) as P | undefined;
    },
  };
  const db: Record<string, unknown> = { ...api };
  for (const [key, repo] of root) db[key] = repo;
  // Printing a database must not walk into the driver's pool or a plugin's keys: show what it is made of, nothing else.
  const summary = () => ({ driver: driver.name, repositories: [...root.keys()], plugins: plugins.map((p) => p.name) });
  Object.defineProperty(db, inspect.custom, { value: summary, enumerable: false });
  Object.defineProperty(db, 'toJSON', { value: summary, enumerable: false });
  return db as unknown as Database<R, Rel>;
}
