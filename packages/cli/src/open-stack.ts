import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, RepositoryMap } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { createStack, loadStackConfig, type ChatcoreConfig } from '@chatcore/core/config';
import { CliError } from './cli-error.js';

/**
 * Read and check a chatcore.yaml (`${VAR}` from the environment), importing
 * the packages its sections and backend name. A missing file is a usage
 * error naming the path; every mistake in the file (a package to install
 * included) is one ConfigError listing them all with YAML paths and lines.
 *
 * @example
 * ```ts
 * const config = await readStackConfig('chatcore.yaml');
 * config.database.backend; // 'postgres'
 * ```
 */
export async function readStackConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<ChatcoreConfig> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new CliError(`The configuration file ${file} does not exist: pass --config <file> (default ./chatcore.yaml).`, { code: 'CONFIG' });
  }
  // Packages installed next to the CLI count too, after the application's own.
  return loadStackConfig(file, { env, resolveFrom: fileURLToPath(new URL('..', import.meta.url)) });
}

/**
 * Options of `openStack`.
 *
 * @example
 * ```ts
 * const options: OpenStackOptions = { config: await readStackConfig('chatcore.yaml'), repositories, schemaMode: 'off' };
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
 * const db = await openStack({ config: await readStackConfig('chatcore.yaml'), repositories, schemaMode: 'off' });
 * await db.connect();
 * ```
 */
export async function openStack(options: OpenStackOptions): Promise<Database<RepositoryMap>> {
  const { repositories } = options;
  const base = options.config;
  const withMode: ChatcoreConfig = options.schemaMode ? { ...base, database: { ...base.database, schemaMode: options.schemaMode } } : base;
  // stdout is the CLI's: an audit console sink writes to stderr instead, so the
  // audit plugin is built here and put where its section's rank puts it.
  const { audit: auditSection, ...config } = withMode;
  let auditPlugin: Plugin | undefined;
  if (auditSection) {
    const { audit, auditOptionsFromConfig } = await import('@chatcore/audit');
    const o = auditOptionsFromConfig(auditSection);
    const sinks = o.sinks ?? { console: true };
    auditPlugin = audit({ ...o, sinks: sinks.console === true ? { ...sinks, console: { stream: process.stderr } } : sinks });
  }
  return createStack({
    config: config as ChatcoreConfig,
    repositories,
    plugins: (configured) => {
      if (!auditPlugin) return configured;
      const at = configured.findIndex((p) => p.name !== 'metrics');
      return at === -1 ? [...configured, auditPlugin] : [...configured.slice(0, at), auditPlugin, ...configured.slice(at)];
    },
  });
}
