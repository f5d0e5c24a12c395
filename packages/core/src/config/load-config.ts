import { existsSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { ConfigError } from '../errors.js';
import { ConfigChecker } from './config-checker.js';
import { INVALID, type AnyConfigType, type InferConfig } from './config-type.js';
import type { DatabaseConfig, ResolvedDatabaseConfig } from './database-config.js';
import type { EnvSource } from './interpolate-env.js';
import { CONFIG_SECTIONS, type AuditSection, type CacheSection, type EncryptionSection, type MetricsSection } from './section-schemas.js';
import { readYaml } from './yaml-source.js';

/**
 * A checked stack configuration: the database settings (defaults filled in)
 * and the plugin sections that were present, camelCased.
 *
 * @example
 * ```ts
 * const config: ChatcoreConfig = loadConfig('chatcore.yaml');
 * config.database.queryTimeout; // 30000
 * config.cache?.ttl;            // 30000 for `ttl: 30s`
 * ```
 */
export interface ChatcoreConfig {
  readonly database: ResolvedDatabaseConfig;
  readonly encryption?: EncryptionSection | undefined;
  readonly cache?: CacheSection | undefined;
  readonly audit?: AuditSection | undefined;
  readonly metrics?: MetricsSection | undefined;
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
  /** Sections beyond database/encryption/cache/audit/metrics. */
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
 * const db = await createDatabaseFromConfig({ config, repositories: { users } });
 * ```
 */
export function loadConfig<X extends ExtraSections = {}>(pathOrText: string, options: LoadConfigOptions<X> = {}): ConfigWith<X> {
  if (typeof pathOrText !== 'string') throw new ConfigError('loadConfig takes a file path or YAML text.');
  let text = pathOrText;
  let name = options.sourceName ?? '(inline YAML)';
  if (looksLikePath(pathOrText)) {
    const path = pathOrText.trim();
    name = options.sourceName ?? path;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`Cannot read the configuration file ${path} (${code}): check the path and its permissions.`);
    }
  }
  return parseConfigText(text, name, options);
}

function parseConfigText<X extends ExtraSections>(text: string, name: string, options: LoadConfigOptions<X>): ConfigWith<X> {
  const source = readYaml(text, options.env ?? process.env, name);
  const checker = new ConfigChecker(source, 'snake');
  const seen = new Set(source.problems.map((p) => p.path));
  checker.problems.push(...source.problems);
  const result = readSections(source.value, checker, options.sections);
  // A missing variable also leaves an empty value behind: report the variable, not the emptiness.
  const problems = checker.problems.filter((p, i) => i < source.problems.length || !seen.has(p.path));
  checker.problems.length = 0;
  checker.problems.push(...problems);
  checker.throwIfAny();
  return result as ConfigWith<X>;
}

function readSections(value: unknown, checker: ConfigChecker, extra: ExtraSections | undefined): Record<string, unknown> {
  const sections: Record<string, AnyConfigType> = { ...CONFIG_SECTIONS, ...(extra ?? {}) };
  const root = value === null || value === undefined ? {} : value;
  const out: Record<string, unknown> = {};
  if (typeof root !== 'object' || Array.isArray(root)) {
    checker.fail('(root)', `expected a map of sections (${Object.keys(sections).join(', ')})`);
    return out;
  }
  const map = root as Record<string, unknown>;
  for (const key of Object.keys(map)) {
    if (!Object.prototype.hasOwnProperty.call(sections, key)) {
      checker.fail(key, `unknown section; allowed sections: ${Object.keys(sections).join(', ')}`);
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
  const r = CONFIG_SECTIONS.database.read(config, { path: 'database', secret: false, checker });
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
  const sections: Record<string, AnyConfigType> = { ...CONFIG_SECTIONS, ...(options.sections ?? {}) };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const type = sections[key];
    if (type && value !== undefined) out[key] = type.write(value, options.redactSecrets !== false);
  }
  return stringify(out);
}

