import { familyOf, type Operation, type OperationContext, type OperationResult, type TransactionEvent } from '@chatcore/core/plugin';
import { PartialWriteError, type SecurityEvent } from '@chatcore/core';
import { AUDIT_EVENT_VERSION, type AuditEventBody, type JsonValue } from './audit-event.js';
import { redactError } from './redact-error.js';
import { CANONICAL_WRITER } from '../chain/canonical-json.js';
import { writeOperationJson, type OperationEventFields } from './operation-json.js';
import { isoNow } from './iso-now.js';
import { operationFields, queryShape } from './query-shape.js';
import type { ResolvedAuditOptions } from '../audit-options.js';

/**
 * How an operation ended, as the plugin measured it.
 *
 * @example
 * ```ts
 * builder.operation(ctx, { durationMs: 1.5, attempt: 1, result } satisfies OperationOutcome);
 * ```
 */
export interface OperationOutcome {
  readonly durationMs: number;
  readonly attempt: number;
  readonly transactionId?: string | undefined;
  readonly result?: OperationResult | undefined;
  /** Ids the operation touched (from core's CompletedOperation, when known). */
  readonly ids?: readonly string[] | undefined;
  readonly error?: unknown;
}

/** A get filters on no field: one shared (frozen) empty list instead of a new one per event. */
const NO_FIELDS: readonly string[] = Object.freeze([]);

interface ServedBy {
  readonly hit: boolean;
  readonly tier?: string | undefined;
  readonly other?: string | undefined;
}
const NOT_SERVED: ServedBy = Object.freeze({ hit: false });
/** servedBy values seen so far (a handful: 'cache:local', 'cache:shared'), parsed once each. */
const servedByValues = new Map<string, ServedBy>();

/**
 * `result.servedBy` split at its first ':' into the plugin that answered
 * and its detail ('cache:local' is the cache's in-process tier): a cache
 * answer is recorded as `cache: 'hit'` with `cacheTier`, any other plugin's
 * as `servedBy`.
 */
function servedBy(result: OperationResult | undefined): ServedBy {
  const by = result?.servedBy;
  if (!by) return NOT_SERVED;
  let parsed = servedByValues.get(by);
  if (!parsed) {
    const colon = by.indexOf(':');
    const plugin = colon === -1 ? by : by.slice(0, colon);
    parsed = plugin !== 'cache' ? { hit: false, other: by } : { hit: true, tier: colon === -1 ? undefined : by.slice(colon + 1) };
    if (servedByValues.size < 100) servedByValues.set(by, parsed);
  }
  return parsed;
}

/** Ids an operation touched, from its result (or its target when it failed). */
function touchedIds(op: Operation, result: OperationResult | undefined): string[] {
  if (result) {
    if (op.kind === 'delete') return result.ids ?? [];
    if (op.kind === 'count') return [];
    const out: string[] = [];
    for (const r of result.rows) if (typeof r.id === 'string') out.push(r.id);
    return out;
  }
  switch (op.kind) {
    case 'get': return op.ids;
    case 'insert': return op.rows.map((r) => String(r.id));
    case 'upsert': return [String(op.row.id)];
    case 'update': case 'delete': return op.target.ids ? [...op.target.ids] : [];
    default: return [];
  }
}

/** A value as JSON, for allowlisted fields only. */
function jsonValue(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}

/**
 * Builds audit event bodies from operations, transactions and security
 * events. It reads ids, field names and the query shape from the operation;
 * values only of allowlisted, non-sensitive, non-secret fields.
 *
 * @example
 * ```ts
 * const builder = new EventBuilder(resolveAuditOptions({}));
 * const body = builder.operation(ctx, { durationMs: 1.2, attempt: 1, result });
 * ```
 */
export class EventBuilder {
  constructor(private readonly options: ResolvedAuditOptions) {}

  /**
   * The event of an operation as its call returns (`result`) or fails
   * (`error`): the attempt and, when the caller opened one, the transaction
   * come from the context. A bulk write that the backend split and that
   * failed part way names the records it did commit (`writtenIds`): a
   * filter write names none of them otherwise.
   */
  inCall(ctx: OperationContext, durationMs: number, result: OperationResult | undefined, error?: unknown): AuditEventBody {
    const ids = error instanceof PartialWriteError ? error.writtenIds : undefined;
    return this.operation(ctx, { durationMs, attempt: ctx.attempt, transactionId: ctx.transaction?.implicit === false ? ctx.transaction.id : undefined, result, error, ids });
  }

  operation(ctx: OperationContext, outcome: OperationOutcome): AuditEventBody {
    const op = ctx.operation as Operation;
    let all = outcome.ids ?? touchedIds(op, outcome.result);
    // findPage and iterate fetch one row more than the page to learn whether a next page exists; the caller never sees it.
    if ((ctx.method === 'findPage' || ctx.method === 'iterate') && op.kind === 'query' && op.query.limit !== undefined && all.length === op.query.limit) {
      all = all.slice(0, -1);
    }
    const max = this.options.maxIds;
    const result = outcome.result;
    const family = familyOf(op.kind);
    const read = family === 'read';
    const allowed = this.options.includeValues.get(ctx.repository);
    const served = servedBy(result);
    // One object shape for every operation event; the chain writes it with writeOperationJson,
    // so a member that writer does not know is a compile error here.
    const body: OperationEventFields & { readonly [CANONICAL_WRITER]: typeof writeOperationJson } = {
      actor: ctx.actor,
      attempt: outcome.attempt,
      cache: read && result ? (served.hit ? 'hit' : 'miss') : undefined,
      cacheTier: read ? served.tier : undefined,
      count: op.kind === 'count' ? result?.count ?? 0 : op.kind === 'aggregate' ? result?.groups?.length ?? 0 : all.length,
      created: op.kind === 'upsert' ? result?.created : undefined,
      durationMs: Math.round(outcome.durationMs * 1000) / 1000,
      error: outcome.error === undefined ? undefined : (redactError(outcome.error) as unknown as JsonValue),
      family,
      fields: op.kind === 'get' ? NO_FIELDS : operationFields(op),
      ids: all.length > max ? all.slice(0, max) : outcome.ids ? [...all] : (all as string[]),
      idsTruncated: all.length > max ? true : undefined,
      kind: op.kind,
      method: ctx.method,
      outcome: outcome.error === undefined ? 'ok' : 'error',
      repository: ctx.repository,
      servedBy: served.other,
      tenant: ctx.tenant,
      time: isoNow(),
      traceId: ctx.traceId,
      transactionId: outcome.transactionId,
      type: 'operation',
      v: AUDIT_EVENT_VERSION,
      values: allowed && !read && op.kind !== 'delete' ? this.values(op, allowed, max) : undefined,
      [CANONICAL_WRITER]: writeOperationJson,
    };
    return body as unknown as AuditEventBody;
  }

  performance(ctx: OperationContext, durationMs: number): AuditEventBody {
    const op = ctx.operation as Operation;
    return {
      v: AUDIT_EVENT_VERSION,
      type: 'performance',
      time: isoNow(),
      traceId: ctx.traceId,
      actor: ctx.actor,
      tenant: ctx.tenant,
      repository: ctx.repository,
      method: ctx.method,
      kind: op.kind,
      durationMs: Math.round(durationMs * 1000) / 1000,
      thresholdMs: this.options.slowQueryMs,
      shape: queryShape(op),
    };
  }

  security(event: SecurityEvent): AuditEventBody {
    const ids = event.ids ? [...event.ids].filter((x) => typeof x === 'string') : undefined;
    return {
      v: AUDIT_EVENT_VERSION,
      type: 'security',
      time: isoNow(),
      event: String(event.type).slice(0, 64),
      message: String(event.message).slice(0, 500),
      repository: event.repository,
      ids: ids && ids.length > this.options.maxIds ? ids.slice(0, this.options.maxIds) : ids,
      count: ids?.length,
      actor: event.actor,
      tenant: event.tenant,
      traceId: event.traceId,
      source: event.source,
      details: safeDetails(event.details),
    };
  }

  /** An event about the audit stream itself (`stream_started`, `stream_closed`), with its details. */
  stream(action: string, details: Readonly<Record<string, JsonValue>>): AuditEventBody {
    return { v: AUDIT_EVENT_VERSION, type: 'audit', time: isoNow(), action, ...details };
  }

  rollback(event: TransactionEvent): AuditEventBody {
    const first = event.operations[0]?.ctx;
    return {
      v: AUDIT_EVENT_VERSION,
      type: 'rollback',
      time: isoNow(),
      traceId: first?.traceId,
      actor: first?.actor,
      tenant: first?.tenant,
      transactionId: event.transactionId,
      attempt: event.attempt,
      implicit: event.implicit,
      operations: event.operations.map((o) => ({ repository: o.ctx.repository, method: o.ctx.method, kind: o.op.kind, count: o.ids.length })),
      error: event.error === undefined ? undefined : (redactError(event.error) as unknown as JsonValue),
    };
  }

  /** Values of the allowlisted fields (`allowed` is sorted once, by resolveAuditOptions). */
  private values(op: Operation, allowed: readonly string[], max: number): JsonValue | undefined {
    const fields = op.schema.fields;
    const safe = allowed.filter((f) => {
      const m = fields[f];
      return m !== undefined && !m.sensitive && !m.secret && m.storedAs === undefined;
    });
    if (safe.length === 0) return undefined;
    const pick = (src: Readonly<Record<string, unknown>>): JsonValue => {
      const out: Record<string, JsonValue> = {};
      for (const f of safe) if (f in src) out[f] = jsonValue(src[f]);
      return out;
    };
    switch (op.kind) {
      case 'insert': return op.rows.length === 1 ? pick(op.rows[0]!) : op.rows.slice(0, max).map(pick);
      case 'upsert': return pick(op.row);
      case 'update': return pick(op.patch.set);
      default: return undefined;
    }
  }
}

/** Security event details: primitives only, strings bounded; nested objects dropped. */
function safeDetails(details: SecurityEvent['details']): JsonValue | undefined {
  if (!details) return undefined;
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(details)) {
    if (/value|plaintext|secret|password|token|key$/i.test(k)) continue;
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'string') out[k] = v.length > 200 ? `${v.slice(0, 200)}…` : v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length <= 100)) out[k] = v.slice(0, 20) as string[];
  }
  return out;
}
