import type { Plugin } from '@chatcore/core/plugin';

// The other plugins' stats() are read by shape, not by importing their
// packages: metrics depends on core only, and a plugin that is absent, older
// or renamed simply contributes nothing.

type UnknownRecord = Readonly<Record<string, unknown>>;

const isRecord = (v: unknown): v is UnknownRecord => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

function statsOf(plugin: Plugin): UnknownRecord | undefined {
  const stats = (plugin as { stats?: unknown }).stats;
  if (typeof stats !== 'function') return undefined;
  try {
    const snapshot: unknown = stats.call(plugin);
    return isRecord(snapshot) ? snapshot : undefined;
  } catch {
    return undefined;
  }
}

/** The per-tier counters of a cache plugin's stats() that become metrics. */
export const CACHE_COUNTERS = ['hits', 'misses', 'errors', 'bypasses', 'stale', 'evictions'] as const;

/** Counters of one cache tier of one repository (0 for a counter the plugin does not report). */
export interface CacheTierCounts extends Readonly<Record<(typeof CACHE_COUNTERS)[number], number>> {
  readonly repository: string;
  readonly tier: 'local' | 'shared';
}

/** What the metrics read from a cache plugin (`@chatcore/cache`'s CacheStatsSnapshot). */
export interface CacheReading {
  readonly tiers: readonly CacheTierCounts[];
  readonly pendingInvalidations: number | undefined;
}

/** A cache plugin's counters: a stats() with `total` and `repositories`, each tier holding hits, misses, errors, bypasses, stale and evictions. */
export function readCache(plugin: Plugin): CacheReading | undefined {
  const s = statsOf(plugin);
  if (!s || !isRecord(s.total) || !isRecord(s.repositories)) return undefined;
  const tiers: CacheTierCounts[] = [];
  for (const [repository, byTier] of Object.entries(s.repositories)) {
    if (!isRecord(byTier)) continue;
    for (const tier of ['local', 'shared'] as const) {
      const c = byTier[tier];
      if (!isRecord(c)) continue;
      tiers.push({
        repository,
        tier,
        hits: count(c.hits) ?? 0,
        misses: count(c.misses) ?? 0,
        errors: count(c.errors) ?? 0,
        bypasses: count(c.bypasses) ?? 0,
        stale: count(c.stale) ?? 0,
        evictions: count(c.evictions) ?? 0,
      });
    }
  }
  return { tiers, pendingInvalidations: count(s.pendingInvalidations) };
}

/** What the metrics read from an audit plugin (`@chatcore/audit`'s AuditStats). */
export interface AuditReading {
  readonly queued: number;
  readonly dropped: number;
  /** Events handed to the sinks (`flushed`, or `sealed` into the chain). */
  readonly flushed: number;
}

/** An audit plugin's queue: a stats() with numeric `queued` and `dropped`. */
export function readAudit(plugin: Plugin): AuditReading | undefined {
  const s = statsOf(plugin);
  const queued = count(s?.queued);
  const dropped = count(s?.dropped);
  if (!s || queued === undefined || dropped === undefined) return undefined;
  return { queued, dropped, flushed: count(s.flushed) ?? count(s.sealed) ?? 0 };
}

/** The encryption counters the metrics know, by the `operation` label they get. */
const ENCRYPTION_COUNTERS = { seal: 'sealed', open: 'opened', blind_index: 'blindIndexes' } as const;

/** What the metrics read from an encryption plugin. */
export interface EncryptionReading {
  readonly operations: ReadonlyArray<{ readonly operation: keyof typeof ENCRYPTION_COUNTERS; readonly count: number }>;
  readonly integrityFailures: number | undefined;
}

/**
 * An encryption plugin's counters: the plugin named 'encryption' (or one
 * that protects sensitive fields) with a stats() holding `sealed`, `opened`,
 * `blindIndexes` and `integrityFailures`, at the top or under `total`.
 * Counters it does not have are left out.
 */
export function readEncryption(plugin: Plugin): EncryptionReading | undefined {
  if (plugin.name !== 'encryption' && !plugin.placement?.protectsSensitive) return undefined;
  const s = statsOf(plugin);
  if (!s) return undefined;
  const totals = isRecord(s.total) ? s.total : s;
  const operations: Array<EncryptionReading['operations'][number]> = [];
  for (const [operation, field] of Object.entries(ENCRYPTION_COUNTERS) as Array<[keyof typeof ENCRYPTION_COUNTERS, string]>) {
    const n = count(totals[field]);
    if (n !== undefined) operations.push({ operation, count: n });
  }
  const integrityFailures = count(totals.integrityFailures);
  if (operations.length === 0 && integrityFailures === undefined) return undefined;
  return { operations, integrityFailures };
}
