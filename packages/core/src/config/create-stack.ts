import { dirname, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleResolve } from 'import-meta-resolve';
import { ConfigError } from '../errors.js';
import { createDatabase } from '../database/create-database.js';
import type { Database, RepositoryMap } from '../database/database-api.js';
import type { Plugin } from '../plugin/plugin.js';
import type { Relations } from '../relations/define-relations.js';
import type { ReferenceTargetRules } from '../references/reference-targets.js';
import { getBackend, listBackends } from './backend-registry.js';
import { checkConfigSource, readConfigText, type ChatcoreConfig } from './load-config.js';
import type { EnvSource } from './interpolate-env.js';
import { getSection, KNOWN_SECTION_PACKAGES, listSections } from './section-registry.js';
import { readYaml } from './yaml-source.js';

/**
 * Options of `createStack`.
 *
 * @example
 * ```ts
 * const options: StackOptions<{ users: typeof users }> = { config: 'chatcore.yaml', repositories: { users } };
 * const db = await createStack(options);
 * ```
 */
export interface StackOptions<R extends RepositoryMap, Rel = {}> {
  /** A path to the YAML file, YAML text, or a configuration `loadConfig` returned. */
  readonly config: ChatcoreConfig | string;
  /** The repositories by property name; every `.references(name)` among them names one of them. */
  readonly repositories: R & ReferenceTargetRules<R>;
  /** Relations between the repositories, for `include` (see defineRelations). */
  readonly relations?: Relations<R, Rel>;
  /** Variables for `${VAR}` when `config` is a path or text (default process.env). */
  readonly env?: EnvSource;
  /**
   * More plugins. A list goes outermost, before the configured ones; a
   * function receives the configured list (outermost first) and returns the
   * final one.
   */
  readonly plugins?: readonly Plugin[] | ((configured: readonly Plugin[]) => readonly Plugin[]);
  /**
   * More folders to resolve section and backend packages from, after the
   * configuration file's folder and the working directory (a tool such as
   * the CLI adds its own).
   */
  readonly resolveFrom?: string | readonly string[];
  /** Development only: allow sensitive fields without encryption. */
  readonly allowPlaintextSensitive?: boolean;
}

/** Backends that ship as packages of their own, imported on demand like sections. */
const BACKEND_PACKAGES: Readonly<Record<string, string>> = { pglite: '@chatcore/pglite', postgres: '@chatcore/postgres', firestore: '@chatcore/firestore' };
const PACKAGE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Build the whole stack from one configuration: load and check the YAML,
 * import the package of every section it has (`cache` imports
 * `@chatcore/cache`, which registers the section) and of its backend,
 * build the driver and each section's plugin in onion order (metrics,
 * audit, encryption, cache: outermost first; `createDatabase` checks the
 * order again) and return the database. Call `connect()` on it.
 *
 * Every problem is reported at once in one ConfigError, each with its YAML
 * path and line: unknown sections and keys, a section whose package is not
 * installed (naming `pnpm add @chatcore/<name>`), wrong types, unset
 * environment variables.
 *
 * @example
 * ```ts
 * const repositories = { users, conversations, messages };
 * const relations = defineRelations(repositories, {
 *   conversations: (r) => ({ messages: r.many('messages', { field: 'conversationId' }) }),
 * });
 * const db = await createStack({ config: 'chatcore.yaml', repositories, relations });
 * await db.connect();
 * const [first] = await db.conversations.find({ include: { messages: { limit: 20 } }, limit: 1 });
 * ```
 */
export async function createStack<R extends RepositoryMap, Rel = {}>(options: StackOptions<R, Rel>): Promise<Database<R, Rel>> {
  const config = typeof options.config === 'string' ? await loadStackConfig(options.config, options) : options.config;
  if (!config || typeof config !== 'object' || !config.database) {
    throw new ConfigError('createStack needs config: a path, YAML text, or the result of loadConfig().');
  }
  const factory = getBackend(config.database.backend);
  const all = config as unknown as Readonly<Record<string, unknown>>;
  const context = { config: all as { readonly database: unknown } & Readonly<Record<string, unknown>>, repositories: Object.keys(options.repositories) };
  const configured: Plugin[] = [];
  for (const section of listSections()) {
    const value = all[section.name];
    if (value === undefined) continue;
    const plugin = await section.build(value, context);
    if (plugin === undefined) continue;
    if (!plugin || typeof plugin.name !== 'string') throw new ConfigError(`Section ${section.name} (${section.package}) did not build a plugin.`);
    configured.push(plugin);
  }
  // Other keys of a loaded configuration are sections the application passed to
  // loadConfig({ sections }) itself: it reads them, no package builds a plugin from them.
  const plugins = typeof options.plugins === 'function' ? options.plugins(configured) : [...(options.plugins ?? []), ...configured];
  const driver = await factory(config.database);
  try {
    return createDatabase({
      driver,
      repositories: options.repositories,
      ...(options.relations === undefined ? {} : { relations: options.relations }),
      plugins,
      schemaMode: config.database.schemaMode,
      defaultTimeout: config.database.queryTimeout,
      ...(options.allowPlaintextSensitive === undefined ? {} : { allowPlaintextSensitive: options.allowPlaintextSensitive }),
    });
  } catch (error) {
    // The caller never gets a database to close: release the pool here.
    await Promise.resolve(driver.close()).catch(() => undefined);
    for (const p of configured) await Promise.resolve(p.close?.()).catch(() => undefined);
    throw error;
  }
}

/**
 * `loadConfig` for a whole stack: read the YAML (a path, or YAML text),
 * import the package of each section and of the backend as `createStack`
 * does, then check everything and throw one ConfigError with every problem.
 * For tools that need the checked configuration before building the stack.
 *
 * @example
 * ```ts
 * const config = await loadStackConfig('chatcore.yaml');
 * config.database.backend; // 'postgres'
 * ```
 */
export async function loadStackConfig(pathOrText: string, options: { readonly env?: EnvSource; readonly resolveFrom?: string | readonly string[] } = {}): Promise<ChatcoreConfig> {
  const { text, name, path } = readConfigText(pathOrText);
  const source = readYaml(text, options.env ?? process.env, name);
  const extra = typeof options.resolveFrom === 'string' ? [options.resolveFrom] : options.resolveFrom ?? [];
  const bases = [path ? dirname(resolvePath(path)) : undefined, process.cwd(), ...extra].filter((b): b is string => b !== undefined);
  const unavailable = new Map<string, string>();
  const root = source.value;
  if (root && typeof root === 'object' && !Array.isArray(root)) {
    const map = root as Record<string, unknown>;
    const wanted: Array<{ key: string; pkg: string; known: boolean }> = [];
    for (const key of Object.keys(map)) {
      if (key === 'database' || getSection(key)) continue;
      const known = Object.prototype.hasOwnProperty.call(KNOWN_SECTION_PACKAGES, key);
      if (known || PACKAGE_NAME.test(key)) wanted.push({ key, pkg: known ? KNOWN_SECTION_PACKAGES[key]! : `@chatcore/${key}`, known });
    }
    const db = map.database;
    const backend = db && typeof db === 'object' ? (db as Record<string, unknown>).backend : undefined;
    const backendName = typeof backend === 'string' ? backend : backend === undefined ? 'pglite' : undefined;
    if (backendName && BACKEND_PACKAGES[backendName] && !listBackends().includes(backendName)) {
      wanted.push({ key: 'database', pkg: BACKEND_PACKAGES[backendName]!, known: true });
    }
    await Promise.all(wanted.map(async ({ key, pkg, known }) => {
      const outcome = await importPackage(pkg, bases);
      if (outcome === 'loaded') return;
      if (key === 'database') return; // getBackend names the package to install
      if (outcome === 'missing') {
        if (known) unavailable.set(key, `section ${key} needs ${pkg}, which is not installed: pnpm add ${pkg}`);
        return;
      }
      unavailable.set(key, `section ${key} needs ${pkg}, which failed to load (${outcome}); reinstall it (pnpm add ${pkg})`);
    }));
  }
  return checkConfigSource(source, { unavailable }) as ChatcoreConfig;
}

/** Import a package as the application would: 'loaded', 'missing', or why it failed. */
async function importPackage(pkg: string, bases: readonly string[]): Promise<'loaded' | 'missing' | string> {
  const conditions = new Set(['node', 'import', ...activeConditions()]);
  for (const base of bases) {
    let url: URL;
    try {
      url = moduleResolve(pkg, pathToFileURL(`${resolvePath(base)}/`), conditions);
    } catch {
      continue;
    }
    try {
      await import(url.href);
      return 'loaded';
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]!.slice(0, 200)}` : 'unknown error';
    }
  }
  return 'missing';
}

/** The `--conditions` this process runs with (e.g. `@chatcore/source` in tests), so packages load as they would by name. */
function activeConditions(): string[] {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^(?:--conditions|-C)=(.+)$/.exec(a);
    if (m) out.push(m[1]!);
    else if ((a === '--conditions' || a === '-C') && args[i + 1]) out.push(args[++i]!);
  }
  return out;
}
