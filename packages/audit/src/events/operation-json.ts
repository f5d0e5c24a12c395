import { canonicalJson, jsonString } from '../chain/canonical-json.js';
import type { JsonValue } from './audit-event.js';

/**
 * The members of an operation event as EventBuilder.operation builds them
 * (undefined ones are left out of the JSON).
 *
 * @example
 * ```ts
 * const e: OperationEventFields = { v: 1, type: 'operation', time, kind: 'get', family: 'read', ids: [id], count: 1, outcome: 'ok' };
 * ```
 */
export interface OperationEventFields {
  readonly actor?: string | undefined;
  readonly attempt?: number | undefined;
  readonly cache?: 'hit' | 'miss' | undefined;
  readonly cacheTier?: string | undefined;
  readonly count?: number | undefined;
  readonly created?: boolean | undefined;
  readonly durationMs?: number | undefined;
  readonly error?: JsonValue | undefined;
  readonly family?: string | undefined;
  readonly fields?: readonly string[] | undefined;
  readonly ids?: readonly string[] | undefined;
  readonly idsTruncated?: true | undefined;
  readonly kind?: string | undefined;
  readonly method?: string | undefined;
  readonly outcome?: 'ok' | 'error' | undefined;
  readonly repository?: string | undefined;
  readonly servedBy?: string | undefined;
  readonly tenant?: string | undefined;
  readonly time: string;
  readonly traceId?: string | undefined;
  readonly transactionId?: string | undefined;
  readonly type: 'operation';
  readonly v: number;
  readonly values?: JsonValue | undefined;
}

/**
 * The canonical JSON of an operation event with its chain members: members
 * written in code-unit order by name, one pass and no key sorting (nested
 * values still go through canonicalJson). Gives exactly the text of
 * `canonicalJsonWith(event, ['prevHash', 'seq', 'stream'], [prevHash, seq, stream])`
 * for an event with only these members; the builder attaches it to the
 * events it makes (CANONICAL_WRITER), so an event with other members never
 * reaches it.
 *
 * @example
 * ```ts
 * const text = writeOperationJson(body, chain.hash, chain.seq + 1, chain.stream);
 * ```
 */
export function writeOperationJson(e: OperationEventFields, prevHash: string, seq: number, stream: string): string {
  // Members before prevHash end with a comma, later ones start with one: prevHash is always there.
  let s = '{';
  if (e.actor !== undefined) s += '"actor":' + text(e.actor) + ',';
  if (e.attempt !== undefined) s += '"attempt":' + canonicalJson(e.attempt) + ',';
  if (e.cache !== undefined) s += '"cache":' + name(e.cache) + ',';
  if (e.cacheTier !== undefined) s += '"cacheTier":' + name(e.cacheTier) + ',';
  if (e.count !== undefined) s += '"count":' + canonicalJson(e.count) + ',';
  if (e.created !== undefined) s += '"created":' + canonicalJson(e.created) + ',';
  if (e.durationMs !== undefined) s += '"durationMs":' + canonicalJson(e.durationMs) + ',';
  if (e.error !== undefined) s += '"error":' + canonicalJson(e.error) + ',';
  if (e.family !== undefined) s += '"family":' + name(e.family) + ',';
  if (e.fields !== undefined) s += '"fields":' + canonicalJson(e.fields) + ',';
  if (e.ids !== undefined) s += '"ids":' + canonicalJson(e.ids) + ',';
  if (e.idsTruncated !== undefined) s += '"idsTruncated":' + canonicalJson(e.idsTruncated) + ',';
  if (e.kind !== undefined) s += '"kind":' + name(e.kind) + ',';
  if (e.method !== undefined) s += '"method":' + name(e.method) + ',';
  if (e.outcome !== undefined) s += '"outcome":' + name(e.outcome) + ',';
  s += '"prevHash":' + jsonString(prevHash);
  if (e.repository !== undefined) s += ',"repository":' + name(e.repository);
  s += ',"seq":' + canonicalJson(seq);
  if (e.servedBy !== undefined) s += ',"servedBy":' + name(e.servedBy);
  s += ',"stream":' + name(stream);
  if (e.tenant !== undefined) s += ',"tenant":' + text(e.tenant);
  if (e.time !== undefined) s += ',"time":' + time(e.time);
  if (e.traceId !== undefined) s += ',"traceId":' + text(e.traceId);
  if (e.transactionId !== undefined) s += ',"transactionId":' + text(e.transactionId);
  if (e.type !== undefined) s += ',"type":' + name(e.type);
  if (e.v !== undefined) s += ',"v":' + canonicalJson(e.v);
  if (e.values !== undefined) s += ',"values":' + canonicalJson(e.values);
  return s + '}';
}

/** A member that is usually a string (a value of the JSON type system otherwise). */
function text(v: unknown): string {
  return typeof v === 'string' ? jsonString(v) : canonicalJson(v);
}

const names = new Map<string, string>();

/** A member drawn from a small set of strings (kinds, methods, repositories, the stream): its JSON text is cached. */
function name(v: unknown): string {
  if (typeof v !== 'string') return canonicalJson(v);
  let q = names.get(v);
  if (q === undefined) {
    q = jsonString(v);
    if (names.size < 1000) names.set(v, q);
  }
  return q;
}

let lastTime = '';
let lastTimeJson = '""';

/** The time member: many events of one millisecond share the same string. */
function time(v: unknown): string {
  if (v === lastTime) return lastTimeJson;
  if (typeof v !== 'string') return canonicalJson(v);
  lastTime = v;
  lastTimeJson = jsonString(v);
  return lastTimeJson;
}
