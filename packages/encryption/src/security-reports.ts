import type { EventEmitter } from 'node:events';
import { IntegrityError, KeyError, type SecurityEvent } from '@chatcore/core';
import type { OperationContext, PluginHost } from '@chatcore/core/plugin';
import type { RepositoryPlan } from './repository-plan.js';

/**
 * Where the encryption plugin's security events go: the database (every
 * plugin's onSecurityEvent), the plugin's `events` emitter (`security`),
 * and the plugin's own `onSecurityEvent` option.
 *
 * @example
 * ```ts
 * const sink: SecuritySink = { source: 'encryption', host, events, onSecurityEvent: undefined };
 * ```
 */
export interface SecuritySink {
  /** The plugin's name, reported as the event's source. */
  readonly source: string;
  readonly host: PluginHost | undefined;
  readonly events: EventEmitter;
  readonly onSecurityEvent: ((event: SecurityEvent) => void) | undefined;
}

function emit(sink: SecuritySink, event: SecurityEvent): void {
  sink.host?.reportSecurityEvent(event);
  sink.events.emit('security', event);
  sink.onSecurityEvent?.(event);
}

/**
 * Report rows dropped from a blind-index read because their blind index
 * does not belong to their value (counted in the repository's stats).
 *
 * @example
 * ```ts
 * reportIndexMismatch(sink, plan, ['email'], ['r1'], ctx);
 * ```
 */
export function reportIndexMismatch(sink: SecuritySink, plan: RepositoryPlan, fields: readonly string[], ids: readonly string[], ctx: OperationContext | undefined): void {
  plan.counters.indexMismatches += ids.length;
  emit(sink, {
    type: 'integrity_failure',
    message: `${ids.length} record(s) of ${plan.name} matched a lookup on ${fields.join(', ')} through a blind index that does not belong to their value (copied from another record, or a hash collision); they were left out of the result.`,
    repository: plan.name,
    ids,
    actor: ctx?.actor,
    tenant: ctx?.tenant,
    traceId: ctx?.traceId,
    source: sink.source,
    details: { check: 'blind_index', fields },
  });
}

/**
 * Report a check of stored data that failed, on a read or before a write
 * (an update, upsert or re-encryption reads the record it rewrites): an
 * integrity failure (a ciphertext, envelope or row authenticator that does
 * not verify) or a missing key, each counted in the repository's stats and
 * reported as its own event type. `id` names the record when the error
 * does not.
 *
 * @example
 * ```ts
 * if (error instanceof IntegrityError || error instanceof KeyError) reportCheckFailure(sink, plan, error, ctx, row.id);
 * ```
 */
export function reportCheckFailure(sink: SecuritySink, plan: RepositoryPlan, error: IntegrityError | KeyError, ctx: OperationContext | undefined, id?: unknown): void {
  const missingKey = error instanceof KeyError;
  if (missingKey) plan.counters.missingKeys++;
  else plan.counters.integrityFailures++;
  const named = (error.info.id ?? id) as string | undefined;
  emit(sink, {
    // A missing key id is an operator mistake or a tampered key id: reported either way, as its own type.
    type: missingKey ? 'key_missing' : 'integrity_failure',
    message: error.message,
    repository: plan.name,
    ids: named ? [String(named)] : undefined,
    actor: ctx?.actor,
    tenant: ctx?.tenant,
    traceId: ctx?.traceId,
    source: sink.source,
    details: { field: error.info.field, keyId: error.info.keyId },
  });
}

/**
 * Run a check of the stored record `id` (open, decode, authenticate) and
 * report what it raises (IntegrityError, KeyError) before passing it on:
 * the write and key-job paths, which check rows outside a read.
 *
 * @example
 * ```ts
 * reportingFailures(sink, plan, ctx, current.id, () => checkRow(plan, current));
 * ```
 */
export function reportingFailures<T>(sink: SecuritySink, plan: RepositoryPlan, ctx: OperationContext | undefined, id: unknown, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof IntegrityError || error instanceof KeyError) reportCheckFailure(sink, plan, error, ctx, id);
    throw error;
  }
}
