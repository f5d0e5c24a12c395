import { existsSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { ConfigError } from '../errors.js';
import { ConfigChecker } from './config-checker.js';
import { INVALID, type AnyConfigType, type InferConfig } from './config-type.js';
import type { DatabaseConfig, ResolvedDatabaseConfig } from './database-config.js';
import type { EnvSource } from './interpolate-env.js';
import { databaseSection } from './database-config.js';
import { closestName } from './config-checker.js';
import { KNOWN_SECTION_PACKAGES, listSections, type ConfigSections } from './section-registry.js';
import { readYaml, type YamlSource } from './yaml-source.js';

/**
 * A checked stack configuration: the database settings (defaults filled in)
 * and the plugin sections that were present, camelCased. The plugin sections
 * are typed by the plugin packages the application imports (each adds its
 * section to `ConfigSections`).
 *
 * @example
 * ```ts
 * const config: ChatcoreConfig = loadConfig('chatcore.yaml');
 * config.database.queryTimeout; // 30000
 * ```
 */
export type ChatcoreConfig = { readonly database: ResolvedDatabaseConfig } & { readonly [K in keyof ConfigSections]?: ConfigSections[K] | undefined };

/**
 * The schemas of every section known now: `database` and those the imported
 * plugin packages registered, by YAML name.
 *
 * @example
 * ```ts
 * Object.keys(configSections()); // ['database', 'metrics', 'audit', 'encryption', 'cache'] with every plugin imported
 * ```
 */
export function configSections(): Record<string, AnyConfigType> {
  const out: Record<string, AnyConfigType> = { database: databaseSection };
  for (const s of listSections()) out[s.name] = s.schema;
  return out;
}

/**
 * Extra sections for plugins outside this repository, by YAML name.
 *
 * @example
 * ```ts
 * const extra: ExtraSections = { tenancy: c.object({ strict: c.boolean() }) };
 * ```
 */
export type ExtraSections = Readonly<Record<string, AnyConfigType>>;

/**
 * A checked configuration with extra sections.
 *
 * @example
 * ```ts
 * const tenancy = c.object({ header: c.string().default('x-tenant'), strict: c.boolean() });
 * const cfg: ConfigWith<{ tenancy: typeof tenancy }> = loadConfig('chatcore.yaml', { sections: { tenancy } });
 * cfg.tenancy?.header; // string
 * ```
 */
export type ConfigWith<X extends ExtraSections> = ChatcoreConfig & { readonly [K in keyof X]?: InferConfig<X[K]> };

/**
 * Options of `loadConfig`.
 *
 * @example
 * ```ts
 * loadConfig('chatcore.yaml', { env: { DATABASE_URL: 'postgres://localhost/app' } });
 * ```
 */
export interface LoadConfigOptions<X extends ExtraSections = {}> {
  /** Variables for `${VAR}` (default: process.env). */
  readonly env?: EnvSource;
  /** Sections beyond database and those registered by plugin packages. */
  readonly sections?: X;
  /** Name of the source in messages (default: the file path, or "(inline YAML)"). */
  readonly sourceName?: string;
}

function looksLikePath(s: string): boolean {
  if (s.includes('\n')) return false;
  const t = s.trim();
  return /\.ya?ml$/i.test(t) || (!t.includes(':') && existsSync(t));
}

/**
 * Load the YAML stack file (a path, or YAML text): substitute `${ENV}` in
 * string values, check every section against its schema, and return the
 * configuration with camelCase keys, durations in ms and defaults filled in.
 * Every mistake is collected and thrown together as one ConfigError whose
 * `problems` name each YAML path (and line); secret values are never echoed.
 *
 * @example
 * ```ts
 * const config = loadConfig('config/chatcore.yaml');
 * const db = await createStack({ config, repositories: { users } });
 * ```
 */
export function loadConfig<X extends ExtraSections = {}>(pathOrText: string, options: LoadConfigOptions<X> = {}): ConfigWith<X> {
  const { text, name } = readConfigText(pathOrText, options.sourceName);
  const source = readYaml(text, options.env ?? process.env, name);
  return checkConfigSource(source, options) as ConfigWith<X>;
}

/** The text and source name of `loadConfig`'s argument (a path, or YAML text). */
export function readConfigText(pathOrText: string, sourceName?: string): { text: string; name: string; path?: string } {
  if (typeof pathOrText !== 'string') throw new ConfigError('loadConfig takes a file path or YAML text.');
  if (!looksLikePath(pathOrText)) return { text: pathOrText, name: sourceName ?? '(inline YAML)' };
  const path = pathOrText.trim();
  try {
    return { text: readFileSync(path, 'utf8'), name: sourceName ?? path, path };
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`Cannot read the configuration file ${path} (${code}): check the path and its permissions.`);
  }
}

/**
 * Check a read YAML source against the sections and throw one ConfigError
 * with every problem. `unavailable` maps sections whose package could not be
 * loaded to the message that says so; they are reported instead of checked.
 */
export function checkConfigSource(
  source: YamlSource,
  options: { readonly sections?: ExtraSections | undefined; readonly unavailable?: ReadonlyMap<string, string> } = {},
): Record<string, unknown> {
  const checker = new ConfigChecker(source, 'snake');
  const seen = new Set(source.problems.map((p) => p.path));
  checker.problems.push(...source.problems);
  const result = readSections(source.value, checker, options.sections, options.unavailable ?? new Map());
  // A missing variable also leaves an empty value behind: report the variable, not the emptiness.
  const problems = checker.problems.filter((p, i) => i < source.problems.length || !seen.has(p.path));
  checker.problems.length = 0;
  checker.problems.push(...problems);
  checker.throwIfAny();
  return result;
}

function readSections(value: unknown, checker: ConfigChecker, extra: ExtraSections | undefined, unavailable: ReadonlyMap<string, string>): Record<string, unknown> {
  const sections: Record<string, AnyConfigType> = { ...configSections(), ...(extra ?? {}) };
  const root = value === null || value === undefined ? {} : value;
  const out: Record<string, unknown> = {};
  if (typeof root !== 'object' || Array.isArray(root)) {
    checker.fail('(root)', `expected a map of sections (${Object.keys(sections).join(', ')})`);
    return out;
  }
  const map = root as Record<string, unknown>;
  for (const key of Object.keys(map)) {
    if (Object.prototype.hasOwnProperty.call(sections, key)) continue;
    const reason = unavailable.get(key);
    const pkg = Object.prototype.hasOwnProperty.call(KNOWN_SECTION_PACKAGES, key) ? KNOWN_SECTION_PACKAGES[key] : undefined;
    if (reason) checker.fail(key, reason);
    else if (pkg) checker.fail(key, notLoadedMessage(key, pkg));
    else {
      const names = [...new Set([...Object.keys(sections), ...Object.keys(KNOWN_SECTION_PACKAGES)])];
      const hint = closestName(key, names);
      checker.fail(key, `unknown section${hint ? ` (did you mean ${hint}?)` : ''}; known sections: ${names.join(', ')}`);
    }
  }
  for (const [key, type] of Object.entries(sections)) {
    const present = Object.prototype.hasOwnProperty.call(map, key);
    // database always exists (the embedded default); plugin sections only when written.
    if (!present && key !== 'database') continue;
    const r = type.read(present ? map[key] : undefined, { path: key, secret: false, checker });
    if (r !== INVALID) out[key] = r;
  }
  return out;
}

function notLoadedMessage(section: string, pkg: string): string {
  return `section ${section} needs ${pkg}, which is not loaded: install it (pnpm add ${pkg}) and import it once at start-up, or build the stack with createStack(), which imports it`;
}

/**
 * Check database settings written in TypeScript (camelCase) and fill in the
 * defaults, with the same rules as the YAML `database` section.
 *
 * @example
 * ```ts
 * const db = resolveDatabaseConfig({ backend: 'postgres', url: process.env.DATABASE_URL, queryTimeout: '5s' });
 * db.queryTimeout; // 5000
 * ```
 */
export function resolveDatabaseConfig(config: DatabaseConfig): ResolvedDatabaseConfig {
  const checker = new ConfigChecker({ name: 'DatabaseConfig', lines: new Map(), fromEnv: new Set() }, 'camel');
  const r = databaseSection.read(config, { path: 'database', secret: false, checker });
  checker.throwIfAny();
  if (r === INVALID) throw new ConfigError('DatabaseConfig is invalid.');
  return r as ResolvedDatabaseConfig;
}

/**
 * The YAML text of a checked configuration (snake_case keys, durations in
 * ms). Secrets print as `[redacted]` unless `redactSecrets` is false; with it
 * false, loading the output again gives an equal configuration.
 *
 * @example
 * ```ts
 * console.log(stringifyConfig(loadConfig('chatcore.yaml'))); // safe to log
 * ```
 */
export function stringifyConfig(config: ChatcoreConfig, options: { redactSecrets?: boolean; sections?: ExtraSections } = {}): string {
  const sections: Record<string, AnyConfigType> = { ...configSections(), ...(options.sections ?? {}) };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const type = sections[key];
    if (type && value !== undefined) out[key] = type.write(value, options.redactSecrets !== false);
  }
  return stringify(out);
}

