import type { Plugin } from '@chatcore/core/plugin';
import { EXIT } from '../exit-codes.js';
import type { CommandResult } from '../output.js';
import { withDatabase, type CommandContext } from '../command-context.js';

type UnknownRecord = Readonly<Record<string, unknown>>;
const isRecord = (v: unknown): v is UnknownRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Hit rate of one cache tier: hits / (hits + misses), null before any lookup.
 *
 * @example
 * ```ts
 * const t: TierRate = { hits: 9, misses: 1, hitRate: 0.9 };
 * ```
 */
export interface TierRate {
  readonly hits: number;
  readonly misses: number;
  readonly hitRate: number | null;
}

function rate(c: unknown): TierRate | undefined {
  if (!isRecord(c) || typeof c.hits !== 'number' || typeof c.misses !== 'number') return undefined;
  const n = c.hits + c.misses;
  return { hits: c.hits, misses: c.misses, hitRate: n === 0 ? null : c.hits / n };
}

/** Cache hit rates per tier, from a stats() shaped like @chatcore/cache's. */
function cacheRates(stats: UnknownRecord): Record<string, TierRate> | undefined {
  if (!isRecord(stats.total)) return undefined;
  const out: Record<string, TierRate> = {};
  for (const [tier, counters] of Object.entries(stats.total)) {
    const r = rate(counters);
    if (r) out[tier] = r;
  }
  return out;
}

function pluginStats(p: Plugin): UnknownRecord | undefined {
  const fn = (p as { stats?: unknown }).stats;
  if (typeof fn !== 'function') return undefined;
  const s: unknown = fn.call(p);
  return isRecord(s) ? s : undefined;
}

const percent = (r: TierRate) => (r.hitRate === null ? 'no lookups' : `${(r.hitRate * 100).toFixed(1)}% of ${r.hits + r.misses}`);

/**
 * `chatcore stats`: row counts per repository, pool and breaker state (from
 * `db.health()`), and each plugin's `stats()`: cache hit rates per tier,
 * audit queue (and outbox rows not chained yet), encryption counters.
 * Plugin counters are this process's, since they count since start-up;
 * a running service's live figures come from its metrics endpoint.
 *
 * @example
 * ```ts
 * const { json } = await statsCommand(ctx);
 * ```
 */
export async function statsCommand(ctx: CommandContext): Promise<CommandResult> {
  const json = await withDatabase(ctx, { connect: true, tables: true }, async (db, { repositories }) => {
    const rows: Record<string, number> = {};
    for (const [key, def] of Object.entries(repositories)) {
      rows[def.name] = await (db as unknown as Record<string, { count(): Promise<number> }>)[key]!.count();
    }
    const health = await db.health();
    const find = (name: string) => health.components.find((c) => c.name === name);
    const plugins: Record<string, unknown> = {};
    let cache: Record<string, TierRate> | undefined;
    let auditQueue: Record<string, unknown> | undefined;
    for (const p of db.plugins) {
      const s = pluginStats(p);
      if (!s) continue;
      plugins[p.name] = s;
      cache ??= cacheRates(s);
      if (typeof s.queued === 'number' && typeof s.dropped === 'number') {
        const reader = (p as { outboxReader?: () => { pending(): Promise<number> } }).outboxReader;
        let outboxPending: number | undefined;
        try {
          outboxPending = reader ? await reader.call(p).pending() : undefined;
        } catch {
          outboxPending = undefined; // not an outbox sink
        }
        auditQueue = { queued: s.queued, dropped: s.dropped, ...(outboxPending === undefined ? {} : { outboxPending }) };
      }
    }
    return {
      status: health.status,
      rows,
      pool: find('pool')?.details ?? null,
      breaker: find('breaker')?.details ?? null,
      cache: cache ?? null,
      auditQueue: auditQueue ?? null,
      plugins,
    };
  });
  const text = [
    'rows:',
    ...Object.entries(json.rows).map(([name, n]) => `  ${name}: ${n}`),
    `pool: ${json.pool ? JSON.stringify(json.pool) : 'n/a'}`,
    `breaker: ${json.breaker ? JSON.stringify(json.breaker) : 'n/a'}`,
    `cache hit rate (this process): ${json.cache ? Object.entries(json.cache).map(([tier, r]) => `${tier} ${percent(r)}`).join(', ') : 'no cache'}`,
    `audit queue: ${json.auditQueue ? JSON.stringify(json.auditQueue) : 'no audit'}`,
  ];
  return { exitCode: EXIT.OK, json, text };
}
