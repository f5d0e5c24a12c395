import { ConfigError } from '../errors.js';
import { createDatabase } from '../database/create-database.js';
import type { Database, RepositoryMap } from '../database/database-api.js';
import type { Plugin } from '../plugin/plugin.js';
import { getBackend } from './backend-registry.js';
import { loadConfig, type ChatcoreConfig } from './load-config.js';
import type { EnvSource } from './interpolate-env.js';
import type { AuditSection, CacheSection, EncryptionSection, MetricsSection } from './section-schemas.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * Builders of the plugins a configuration's sections describe. Core never
 * imports a plugin package; the application passes these.
 *
 * @example
 * ```ts
 * const pluginFactories: PluginFactories = {
 *   audit: (s) => audit({ sinks: s.sink === 'file' ? { file: s.path } : s.sink === 'outbox' ? { outbox: true } : { console: true }, slowQueryMs: s.slowQueryMs }),
 *   encryption: (s) => encryption(s),
 *   cache: cacheFromConfig,
 * };
 * ```
 */
export interface PluginFactories {
  readonly metrics?: (section: MetricsSection, config: ChatcoreConfig) => MaybePromise<Plugin>;
  readonly audit?: (section: AuditSection, config: ChatcoreConfig) => MaybePromise<Plugin>;
  readonly encryption?: (section: EncryptionSection, config: ChatcoreConfig) => MaybePromise<Plugin>;
  readonly cache?: (section: CacheSection, config: ChatcoreConfig) => MaybePromise<Plugin>;
}

/**
 * Options of `createDatabaseFromConfig`.
 *
 * @example
 * ```ts
 * const options: DatabaseFromConfigOptions<{ users: typeof users }> = {
 *   config: 'chatcore.yaml',
 *   repositories: { users },
 *   pluginFactories: { encryption: (s) => encryption(s) },
 * };
 * const db = await createDatabaseFromConfig(options);
 * ```
 */
export interface DatabaseFromConfigOptions<R extends RepositoryMap> {
  /** A checked configuration, or a path / YAML text for `loadConfig`. */
  readonly config: ChatcoreConfig | string;
  /** Variables for `${VAR}` when `config` is a path or text (default process.env). */
  readonly env?: EnvSource;
  readonly repositories: R;
  /**
   * More plugins. A list goes outermost, before the configured ones; a
   * function receives the configured list (outermost first) and returns the
   * final one.
   */
  readonly plugins?: readonly Plugin[] | ((configured: readonly Plugin[]) => readonly Plugin[]);
  /** Builders for the sections present in the configuration. */
  readonly pluginFactories?: PluginFactories;
  /** Development only: allow sensitive fields without encryption. */
  readonly allowPlaintextSensitive?: boolean;
}

/** Outermost first: metrics measures everything; audit sees every call; encryption sits above the cache. */
const ORDER = ['metrics', 'audit', 'encryption', 'cache'] as const;

const PACKAGE_OF: Readonly<Record<(typeof ORDER)[number], string>> = {
  metrics: '@chatcore/metrics',
  audit: '@chatcore/audit',
  encryption: '@chatcore/encryption',
  cache: '@chatcore/cache',
};

/**
 * Build a database from a configuration: the driver from the backend
 * registry (import the driver package first so that it registers), and the
 * plugins of the present sections from `pluginFactories`, ordered
 * [metrics, audit, encryption, cache] (outermost first). A section without a
 * factory is an error rather than silently ignored; a cache or metrics
 * section with `enabled: false` is skipped. Call `connect()` on the result.
 *
 * @example
 * ```ts
 * import '@chatcore/postgres';
 * const db = await createDatabaseFromConfig({
 *   config: loadConfig('chatcore.yaml'),
 *   repositories: { users, conversations, messages },
 *   pluginFactories: { audit: (s) => audit({ slowQueryMs: s.slowQueryMs }), encryption: (s) => encryption(s), cache: cacheFromConfig },
 * });
 * await db.connect();
 * ```
 */
export async function createDatabaseFromConfig<R extends RepositoryMap>(options: DatabaseFromConfigOptions<R>): Promise<Database<R>> {
  const config = typeof options.config === 'string'
    ? loadConfig(options.config, options.env ? { env: options.env } : {})
    : options.config;
  if (!config || typeof config !== 'object' || !config.database) {
    throw new ConfigError('createDatabaseFromConfig needs config: a path, YAML text, or the result of loadConfig().');
  }
  const factory = getBackend(config.database.backend);
  const configured: Plugin[] = [];
  const factories = options.pluginFactories ?? {};
  for (const name of ORDER) {
    const section = config[name];
    if (section === undefined) continue;
    if ('enabled' in section && section.enabled === false) continue;
    const make = factories[name] as ((s: typeof section, c: ChatcoreConfig) => MaybePromise<Plugin>) | undefined;
    if (!make) {
      throw new ConfigError(`The configuration has a ${name} section but no plugin factory for it: pass pluginFactories: { ${name}: (section) => ${name}(...) } ` +
          `with ${name}() from ${PACKAGE_OF[name]}, or remove the section.`, { problems: [{ path: name, message: 'no plugin factory for this section' }] });
    }
    const plugin = await make(section, config);
    if (!plugin || typeof plugin.name !== 'string') {
      throw new ConfigError(`pluginFactories.${name} did not return a plugin (an object with a name).`);
    }
    configured.push(plugin);
  }
  const plugins = typeof options.plugins === 'function'
    ? options.plugins(configured)
    : [...(options.plugins ?? []), ...configured];
  const driver = await factory(config.database);
  try {
    return createDatabase({
      driver,
      repositories: options.repositories,
      plugins,
      schemaMode: config.database.schemaMode,
      defaultTimeout: config.database.queryTimeout,
      ...(options.allowPlaintextSensitive === undefined ? {} : { allowPlaintextSensitive: options.allowPlaintextSensitive }),
    });
  } catch (error) {
    // The caller never gets a database to close: release the pool here.
    await Promise.resolve(driver.close()).catch(() => undefined);
    throw error;
  }
}
