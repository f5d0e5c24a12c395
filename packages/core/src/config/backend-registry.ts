import { ConfigError } from '../errors.js';
import type { Driver } from '../driver/driver.js';
import { memoryDriver } from '../memory/memory-driver.js';
import type { ResolvedDatabaseConfig } from './database-config.js';

/**
 * Builds a driver from the `database` settings. Driver packages register one
 * under their backend name when imported.
 *
 * @example
 * ```ts
 * const factory: BackendFactory = (cfg) => postgres({ url: cfg.url, poolSize: cfg.connectionPoolSize });
 * ```
 */
export type BackendFactory = (config: ResolvedDatabaseConfig) => Driver | Promise<Driver>;

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** Packages that register the built-in backends, for the "not registered" hint. */
const PACKAGE_OF: Readonly<Record<string, string>> = {
  pglite: '@chatcore/pglite',
  postgres: '@chatcore/postgres',
  firestore: '@chatcore/firestore',
};

// One registry per process, even when two copies of this module are loaded
// (e.g. from src and from dist): a driver package and the application must
// see the same names.
const KEY = Symbol.for('chatcore.backend-registry');
const holder = globalThis as unknown as Record<symbol, Map<string, BackendFactory> | undefined>;
const registry: Map<string, BackendFactory> = (holder[KEY] ??= new Map());

if (!registry.has('memory')) registry.set('memory', () => memoryDriver());

/**
 * Register a backend by name so that a configuration (`backend: name`) can
 * select it. Registering a name again with another factory is an error unless
 * `replace: true`; registering the same factory again does nothing.
 *
 * @example
 * ```ts
 * // in a driver package's index.ts, run on import (myDriver: the package's driver factory):
 * registerBackend('mydb', (cfg) => myDriver({ url: cfg.url, timeoutMs: cfg.queryTimeout }));
 * ```
 */
export function registerBackend(name: string, factory: BackendFactory, options: { replace?: boolean } = {}): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ConfigError(`Backend name ${JSON.stringify(String(name).slice(0, 40))} is invalid: use lower-case letters, digits, - and _, starting with a letter.`);
  }
  if (typeof factory !== 'function') throw new ConfigError(`registerBackend('${name}', factory) needs a function (config) => Driver.`);
  const existing = registry.get(name);
  if (existing && existing !== factory && !options.replace) {
    throw new ConfigError(`Backend ${name} is already registered. Pick another name, or pass { replace: true } to override it.`);
  }
  registry.set(name, factory);
}

/**
 * The factory registered under `name`; a ConfigError naming the registered
 * backends (and the package to import for a built-in one) when there is none.
 *
 * @example
 * ```ts
 * const driver = await getBackend('memory')(resolveDatabaseConfig({ backend: 'memory' }));
 * ```
 */
export function getBackend(name: string): BackendFactory {
  const factory = registry.get(name);
  if (factory) return factory;
  const shown = JSON.stringify(String(name).slice(0, 40));
  const known = listBackends().join(', ') || 'none';
  const pkg = PACKAGE_OF[name];
  // Built-in backends register only when their package is imported, so "registered" alone
  // would hide them: name those not registered yet with their packages.
  const builtIn = Object.entries(PACKAGE_OF).filter(([n]) => !registry.has(n)).map(([n, p]) => `${n} (${p})`);
  const hint = pkg
    ? `Install ${pkg} and import it once at start-up (import '${pkg}'): it registers the ${name} backend.`
    : `${builtIn.length ? `The built-in backends ${builtIn.join(', ')} register when their package is imported. ` : ''}For a custom backend, import the package that provides it (driver packages register on import), or call registerBackend(name, factory).`;
  throw new ConfigError(`Unknown database backend ${shown}. Registered backends: ${known}. ${hint}`, { problems: [
    { path: 'database.backend', message: `backend ${shown} is not registered (registered: ${known})` },
  ] });
}

/**
 * Names of the registered backends, sorted.
 *
 * @example
 * ```ts
 * listBackends(); // ['memory', 'pglite']
 * ```
 */
export function listBackends(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Remove a registered backend (tests, hot reload). Returns whether it existed.
 *
 * @example
 * ```ts
 * unregisterBackend('mydb');
 * ```
 */
export function unregisterBackend(name: string): boolean {
  return registry.delete(name);
}
