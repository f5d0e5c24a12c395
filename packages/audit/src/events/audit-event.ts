/**
 * Version of the event schema; bumped only on incompatible changes (docs/audit.md).
 *
 * @example
 * ```ts
 * const newer = events.filter((e) => e.v > AUDIT_EVENT_VERSION); // written by a newer release
 * ```
 */
export const AUDIT_EVENT_VERSION = 1;

/**
 * The kinds of event in the trail.
 *
 * @example
 * ```ts
 * const t: AuditEventType = 'security';
 * ```
 */
export type AuditEventType = 'operation' | 'security' | 'performance' | 'rollback' | 'audit';

/**
 * A JSON value as it appears in an event (no undefined, no Date, no bigint).
 *
 * @example
 * ```ts
 * const v: JsonValue = { ids: ['a'], count: 1 };
 * ```
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One audit event before it is sealed into a hash chain. Every event has
 * `v`, `type` and `time`; the other fields depend on the type (see
 * docs/audit.md). Values of sensitive and secret fields never appear.
 *
 * @example
 * ```ts
 * const e: AuditEventBody = { v: 1, type: 'operation', time: new Date().toISOString(), repository: 'users', method: 'get', outcome: 'ok' };
 * ```
 */
export interface AuditEventBody {
  readonly v: number;
  readonly type: AuditEventType;
  readonly time: string;
  readonly [key: string]: JsonValue | undefined;
}

/**
 * An event as stored: the body plus its place in the chain of its writer
 * stream (`stream`, `seq` from 1, `prevHash`, and
 * `hash = SHA-256(prevHash || canonicalJson(event without hash))`, hex).
 *
 * @example
 * ```ts
 * for (const e of events) if (e.type === 'operation') console.log(e.seq, e.method, e.outcome);
 * ```
 */
export interface SealedAuditEvent extends AuditEventBody {
  readonly stream: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * A checkpoint: the position and hash of one event of a stream, kept outside
 * the trail, so that truncating or rewriting the trail is detected.
 *
 * @example
 * ```ts
 * const cp: AuditCheckpoint = { stream: 'proc:host:123:abc', seq: 1000, hash: 'ab12…', time: '2026-01-01T00:00:00.000Z' };
 * ```
 */
export interface AuditCheckpoint {
  readonly stream: string;
  readonly seq: number;
  readonly hash: string;
  readonly time?: string | undefined;
}

/**
 * The hash that precedes the first event of every stream.
 *
 * @example
 * ```ts
 * const startsChain = events[0]?.seq === 1 && events[0].prevHash === GENESIS_HASH;
 * ```
 */
export const GENESIS_HASH = '0'.repeat(64);
