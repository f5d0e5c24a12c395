import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database, RepositoryMap } from '@chatcore/core';
import { ConfigError } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { createDatabaseFromConfig, loadConfig, type AuditSection, type ChatcoreConfig, type PluginFactories } from '@chatcore/core/config';
import { CliError } from './cli-error.js';

/**
 * Read and check a chatcore.yaml (`${VAR}` from the environment). A missing
 * file is a usage error naming the path; every mistake in the file is one
 * ConfigError listing them all with YAML paths and lines.
 *
 * @example
 * ```ts
 * const config = readStackConfig('chatcore.yaml');
 * config.database.backend; // 'postgres'
 * ```
 */
export function readStackConfig(path: string, env: NodeJS.ProcessEnv = process.env): ChatcoreConfig {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new CliError(`The configuration file ${file} does not exist: pass --config <file> (default ./chatcore.yaml).`, { code: 'CONFIG' });
  }
  return loadConfig(file, { env });
}

/** Import a package the configuration needs, or say which one to install. */
async function importPackage<T>(name: string, section: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(name)) {
      throw new ConfigError(`The ${section} section needs ${name}, which is not installed: pnpm add ${name}`, { problems: [{ path: section, message: `needs ${name}` }] });
    }
    throw error;
  }
}

const BACKEND_PACKAGES: Readonly<Record<string, string>> = {
  pglite: '@chatcore/pglite',
  postgres: '@chatcore/postgres',
  firestore: '@chatcore/firestore',
};

/** The old-vocabulary `audit` section as `audit()` options (console output goes to stderr: stdout is the CLI's). */
function auditOptions(s: AuditSection, repositories: RepositoryMap): Record<string, unknown> {
  const sinks = s.sink === 'file' ? { file: s.path! } : s.sink === 'outbox' ? { outbox: true } : { console: { stream: process.stderr } };
  const includeValues: Record<string, string[]> = {};
  for (const ref of s.redactAllowlist ?? []) {
    const [repo, field] = ref.includes('.') ? ref.split('.') as [string, string] : [undefined, ref];
    for (const def of Object.values(repositories)) {
      if (repo !== undefined && def.name !== repo) continue;
      if (repo === undefined && !(field in def.fields)) continue;
      (includeValues[def.name] ??= []).push(field);
    }
  }
  return {
    sinks,
    ...(s.reads === 'writes' ? { reads: 'none' } : s.reads === 'sampled' ? { reads: { sampleRate: s.sampleRate ?? 1 } } : {}),
    ...(Object.keys(includeValues).length ? { includeValues } : {}),
    ...(s.slowQueryMs !== undefined ? { slowQueryMs: s.slowQueryMs } : {}),
    ...(s.checkpointPath ? { checkpoints: { file: s.checkpointPath } } : {}),
  };
}

/**
 * Options of `openStack`.
 *
 * @example
 * ```ts
 * const options: OpenStackOptions = { config: readStackConfig('chatcore.yaml'), repositories, schemaMode: 'off' };
 * ```
 */
export interface OpenStackOptions {
  readonly config: ChatcoreConfig;
  readonly repositories: RepositoryMap;
  /** Overrides `database.schema_mode`: the CLI changes the schema only in `schema apply`. */
  readonly schemaMode?: 'apply' | 'verify' | 'off';
}

/**
 * Build (not connect) the database a chatcore.yaml describes: the backend's
 * driver and the plugins of every section present, in the checked order.
 * The packages are imported on demand, so only those the file uses need to
 * be installed. This is the one place the CLI builds a stack.
 *
 * @example
 * ```ts
 * const db = await openStack({ config: readStackConfig('chatcore.yaml'), repositories, schemaMode: 'off' });
 * await db.connect();
 * ```
 */
export async function openStack(options: OpenStackOptions): Promise<Database<RepositoryMap>> {
  const { repositories } = options;
  const base = options.config;
  const config: ChatcoreConfig = options.schemaMode ? { ...base, database: { ...base.database, schemaMode: options.schemaMode } } : base;
  const backendPackage = BACKEND_PACKAGES[config.database.backend];
  if (backendPackage) await importPackage(backendPackage, 'database');
  const pluginFactories: PluginFactories = {
    audit: async (s) => (await importPackage<{ audit: (o: object) => Plugin }>('@chatcore/audit', 'audit')).audit(auditOptions(s, repositories)),
    encryption: async (s) => (await importPackage<{ encryption: (o: object) => Plugin }>('@chatcore/encryption', 'encryption')).encryption(s),
    cache: async (s) => (await importPackage<{ cacheFromConfig: (o: object) => Plugin }>('@chatcore/cache', 'cache')).cacheFromConfig(s),
    metrics: async (s) => (await importPackage<{ metrics: (o: object) => Plugin }>('@chatcore/metrics', 'metrics')).metrics(s.prefix === undefined ? {} : { prefix: s.prefix }),
  };
  return createDatabaseFromConfig({ config, repositories, pluginFactories });
}
