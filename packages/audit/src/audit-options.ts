import { ConfigError } from '@chatcore/core';
import { durationOption, integerOption, MAX_TIMER_MS, type OptionBounds, type RepositorySchema } from '@chatcore/core/plugin';
import type { AuditTransport, ConsoleSinkOptions, FileSinkOptions } from './sinks/winston-sinks.js';
import { fileModeOption } from './sinks/file-mode.js';

/**
 * Options of the outbox sink: audit rows written in the operation's own
 * transaction into plugin-owned tables, chained after commit.
 *
 * @example
 * ```ts
 * const outbox: OutboxOptions = { table: 'audit_events', chainBatch: 500 };
 * ```
 */
export interface OutboxOptions {
  /** Table of the audit rows (default `audit_events`). */
  readonly table?: string;
  /** Table of the chain links: seq, prevHash, hash per event (default `audit_links`). */
  readonly linkTable?: string;
  /** Table of the chain head (default `audit_chain`). */
  readonly headTable?: string;
  /** Table of the checkpoints (default `audit_checkpoints`). */
  readonly checkpointTable?: string;
  /** Rows chained per chaining transaction (default 500). */
  readonly chainBatch?: number;
  /** Delay before chaining after a commit, so rows are chained in batches (ms or '100ms'; default 100 ms). */
  readonly chainDelay?: number | string;
}

/**
 * Outbox options with defaults applied, the chaining delay in ms.
 *
 * @example
 * ```ts
 * const o: ResolvedOutboxOptions = { table: 'audit_events', linkTable: 'audit_links', headTable: 'audit_chain', checkpointTable: 'audit_checkpoints', chainBatch: 500, chainDelayMs: 100 };
 * ```
 */
export type ResolvedOutboxOptions = Required<Omit<OutboxOptions, 'chainDelay'>> & { readonly chainDelayMs: number };

/**
 * Options of `audit()`.
 *
 * @example
 * ```ts
 * audit({
 *   sinks: { file: { path: 'audit.log' }, outbox: true },
 *   reads: { sampleRate: 0.1 },
 *   slowQueryThreshold: '200ms',
 *   anomalies: { readsPerActor: { limit: 5000, window: '1m' }, bulkDelete: { limit: 100 } },
 *   includeValues: { users: ['name'] },
 *   checkpoints: { file: 'audit.checkpoints' },
 * });
 * ```
 */
export interface AuditOptions {
  /** Plugin name (default 'audit'); the outbox tables are owned by it. */
  readonly name?: string;
  readonly sinks?: {
    readonly console?: boolean | ConsoleSinkOptions;
    readonly file?: string | FileSinkOptions;
    readonly outbox?: boolean | OutboxOptions;
    /** Extra winston transports; they receive the same JSON lines. */
    readonly transports?: readonly AuditTransport[];
  };
  /** Which reads are recorded: 'all' (default), 'none' (writes only) or a sample. */
  readonly reads?: 'all' | 'none' | { readonly sampleRate: number };
  /** At most this many ids per event (default 100); `count` always has the total. */
  readonly maxIds?: number;
  /** Values of these non-sensitive fields are recorded, by repository name. Sensitive and secret fields are refused. */
  readonly includeValues?: Readonly<Record<string, readonly string[]>>;
  /** Operations slower than this get a performance event (ms or '250ms'; default 500 ms). */
  readonly slowQueryThreshold?: number | string;
  readonly anomalies?: {
    /** An actor reading more than `limit` records within `window` (ms or '1m'; default 60 s). */
    readonly readsPerActor?: { readonly limit: number; readonly window?: number | string };
    /** A delete that removes more than `limit` rows. */
    readonly bulkDelete?: { readonly limit: number };
  };
  /** The queue in front of the streaming sinks. */
  readonly queue?: {
    /** Events held before back-pressure (or dropping) starts (default 10,000). */
    readonly capacity?: number;
    /** 'block' (default): callers wait for room. 'drop': events are dropped and counted, and a security event reports how many. */
    readonly overflow?: 'block' | 'drop';
    /** Events written per batch (default 512). */
    readonly batchSize?: number;
    /** How long a partial batch waits for more events before it is written (ms or '10ms'; default 10 ms; 0 = next tick). Larger batches cost less CPU per event; events reach the sinks that much later. */
    readonly flushAfter?: number | string;
  };
  /** Checkpoints of the streaming chain: a separate file (created with `fileMode`, default 0o600), every `every` events (default 1000) and at close. */
  readonly checkpoints?: { readonly file?: string; readonly every?: number; readonly fileMode?: number };
  /** Also record an event for each rolled-back transaction attempt (type 'rollback'; default false). */
  readonly recordRollbacks?: boolean;
  /**
   * Names this writer's chains: each run's stream id is `<stream>:<random>`
   * (default: `proc:<host>:<pid>:<random>`), so a restart appending to the
   * same trail starts a chain of its own instead of a second seq 1.
   */
  readonly stream?: string;
}

/**
 * Options with defaults applied.
 *
 * @example
 * ```ts
 * const { capacity, overflow } = resolveAuditOptions({});
 * ```
 */
export interface ResolvedAuditOptions {
  readonly name: string;
  readonly readMode: 'all' | 'none' | 'sample';
  readonly sampleRate: number;
  readonly maxIds: number;
  /** Allowlisted fields per repository, sorted (the order their values are written in). */
  readonly includeValues: ReadonlyMap<string, readonly string[]>;
  readonly slowQueryMs: number;
  readonly readsPerActor: { readonly limit: number; readonly windowMs: number } | undefined;
  readonly bulkDeleteLimit: number | undefined;
  readonly capacity: number;
  readonly overflow: 'block' | 'drop';
  readonly batchSize: number;
  readonly flushMs: number;
  readonly checkpointFile: string | undefined;
  readonly checkpointEvery: number;
  readonly checkpointFileMode: number;
  readonly recordRollbacks: boolean;
  readonly outbox: ResolvedOutboxOptions | undefined;
}

// Core's option rules, with paths named as the user writes them: `audit.queue.capacity`.
const positiveInt = (value: number | undefined, path: string) => integerOption(value, `audit.${path}`, { min: 1 });
const duration = (value: number | string | undefined, path: string, bounds?: OptionBounds) => durationOption(value, `audit.${path}`, bounds);
/** Options that set a timer: Node.js fires a longer one after 1 ms. */
const TIMER = { max: MAX_TIMER_MS };

/**
 * Check the options and fill in defaults; ConfigError names the bad option.
 *
 * @example
 * ```ts
 * const resolved = resolveAuditOptions({ reads: 'none' });
 * ```
 */
export function resolveAuditOptions(options: AuditOptions): ResolvedAuditOptions {
  const reads = options.reads ?? 'all';
  let readMode: ResolvedAuditOptions['readMode'];
  let sampleRate = 1;
  if (reads === 'all' || reads === 'none') readMode = reads;
  else if (typeof reads === 'object' && typeof reads.sampleRate === 'number' && reads.sampleRate >= 0 && reads.sampleRate <= 1) {
    readMode = 'sample';
    sampleRate = reads.sampleRate;
  } else throw new ConfigError("audit: reads must be 'all', 'none' or { sampleRate: 0..1 }.");
  const overflow = options.queue?.overflow ?? 'block';
  if (overflow !== 'block' && overflow !== 'drop') throw new ConfigError("audit: queue.overflow must be 'block' or 'drop'.");
  const rpa = options.anomalies?.readsPerActor;
  const outbox = options.sinks?.outbox;
  const o = typeof outbox === 'object' ? outbox : {};
  return {
    name: options.name ?? 'audit',
    readMode,
    sampleRate,
    maxIds: positiveInt(options.maxIds, 'maxIds') ?? 100,
    includeValues: new Map(Object.entries(options.includeValues ?? {}).map(([repo, fields]) => [repo, [...fields].sort()])),
    slowQueryMs: duration(options.slowQueryThreshold, 'slowQueryThreshold') ?? 500,
    readsPerActor: rpa ? { limit: positiveInt(rpa.limit, 'anomalies.readsPerActor.limit') ?? 1, windowMs: Math.max(1, duration(rpa.window, 'anomalies.readsPerActor.window') ?? 60_000) } : undefined,
    bulkDeleteLimit: options.anomalies?.bulkDelete ? positiveInt(options.anomalies.bulkDelete.limit, 'anomalies.bulkDelete.limit') ?? 1 : undefined,
    capacity: positiveInt(options.queue?.capacity, 'queue.capacity') ?? 10_000,
    overflow,
    batchSize: positiveInt(options.queue?.batchSize, 'queue.batchSize') ?? 512,
    flushMs: duration(options.queue?.flushAfter, 'queue.flushAfter', TIMER) ?? 10,
    checkpointFile: options.checkpoints?.file,
    checkpointEvery: positiveInt(options.checkpoints?.every, 'checkpoints.every') ?? 1000,
    checkpointFileMode: fileModeOption(options.checkpoints?.fileMode, 'checkpoints.fileMode'),
    recordRollbacks: options.recordRollbacks === true,
    outbox: outbox
      ? {
          table: o.table ?? 'audit_events',
          linkTable: o.linkTable ?? 'audit_links',
          headTable: o.headTable ?? 'audit_chain',
          checkpointTable: o.checkpointTable ?? 'audit_checkpoints',
          chainBatch: positiveInt(o.chainBatch, 'sinks.outbox.chainBatch') ?? 500,
          chainDelayMs: duration(o.chainDelay, 'sinks.outbox.chainDelay', TIMER) ?? 100,
        }
      : undefined,
  };
}

/**
 * Refuse an `includeValues` allowlist that names unknown repositories or
 * fields, or a sensitive or secret field.
 *
 * @example
 * ```ts
 * checkValueAllowlist(schemas, new Map([['users', ['name']]]));
 * ```
 */
export function checkValueAllowlist(schemas: readonly RepositorySchema[], allow: ReadonlyMap<string, readonly string[]>): void {
  for (const [repo, fields] of allow) {
    const schema = schemas.find((s) => s.name === repo);
    if (!schema) throw new ConfigError(`audit: includeValues names unknown repository ${JSON.stringify(repo)}.`);
    for (const field of fields) {
      const meta = schema.fields[field];
      if (!meta) throw new ConfigError(`audit: includeValues.${repo} names unknown field ${JSON.stringify(field)}.`);
      if (meta.sensitive || meta.secret) {
        throw new ConfigError(`audit: includeValues.${repo}.${field} is a sensitive or secret field; its values are never logged. Remove it from the allowlist.`);
      }
    }
  }
}
