import { type Database } from '@chatcore/core';
import { createDatabaseFromConfig, loadConfig, type AuditSection, type PluginFactories } from '@chatcore/core/config';
import '@chatcore/pglite'; // registers backend "pglite"
import '@chatcore/postgres'; // registers backend "postgres"
import { audit, type AuditOptions } from '@chatcore/audit';
import { cacheFromConfig } from '@chatcore/cache';
import { encryption } from '@chatcore/encryption';
import { metrics } from '@chatcore/metrics';
import { repositories } from './schema.js';

/**
 * The service's database type.
 *
 * @example
 * ```ts
 * const db: ChatbotDatabase = await openDatabase('chatcore.yaml');
 * ```
 */
export type ChatbotDatabase = Database<typeof repositories>;

/**
 * The whole stack from one YAML file: the backend it names, and the metrics,
 * audit, encryption and cache plugins of its sections, in that order
 * (outermost first). This is the only place that reads the file. Call
 * `connect()` on the result.
 *
 * @example
 * ```ts
 * const db = await openDatabase(process.env.CHATCORE_CONFIG ?? 'chatcore.yaml');
 * await db.connect();
 * ```
 */
export async function openDatabase(configPath: string, env: NodeJS.ProcessEnv = process.env): Promise<ChatbotDatabase> {
  return createDatabaseFromConfig({ config: loadConfig(configPath, { env }), repositories, pluginFactories });
}

const pluginFactories: PluginFactories = {
  metrics: (s) => metrics({ ...(s.prefix === undefined ? {} : { prefix: s.prefix }) }),
  audit: (s) => audit(auditOptions(s)),
  encryption: (s) => encryption(s),
  cache: cacheFromConfig,
};

/** The `audit` section as `audit()` options. */
function auditOptions(s: AuditSection): AuditOptions {
  return {
    sinks: s.sink === 'file' ? { file: s.path! } : s.sink === 'outbox' ? { outbox: true } : { console: true },
    reads: s.reads === 'writes' ? 'none' : s.reads === 'sampled' ? { sampleRate: s.sampleRate! } : 'all',
    includeValues: includeValues(s.redactAllowlist ?? []),
    ...(s.slowQueryMs === undefined ? {} : { slowQueryMs: s.slowQueryMs }),
    ...(s.checkpointPath === undefined ? {} : { checkpoints: { file: s.checkpointPath } }),
  };
}

/** `['users.name', 'title']` as `{ users: ['name'], conversations: ['title'] }`: a bare field names it in every repository that has it. */
function includeValues(allowlist: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const ref of allowlist) {
    const [repo, field] = ref.includes('.') ? ref.split('.') as [string, string] : [undefined, ref];
    for (const def of Object.values(repositories)) {
      if ((repo === undefined || def.schema.name === repo) && (repo !== undefined || field in def.schema.fields)) {
        (out[def.schema.name] ??= []).push(field);
      }
    }
  }
  return out;
}
