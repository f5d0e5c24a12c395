import type { EventEmitter } from 'node:events';
import { KeyError, type IntegrityError, type SecurityEvent } from '@chatcore/core';
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
 * Report a read that failed: an integrity failure (a ciphertext, envelope
 * or row authenticator that does not verify) or a missing key, each counted
 * in the repository's stats and reported as its own event type.
 *
 * @example
 * ```ts
 * if (error instanceof IntegrityError || error instanceof KeyError) reportReadFailure(sink, plan, error, ctx);
 * ```
 */
export function reportReadFailure(sink: SecuritySink, plan: RepositoryPlan, error: IntegrityError | KeyError, ctx: OperationContext | undefined): void {
  const missingKey = error instanceof KeyError;
  if (missingKey) plan.counters.missingKeys++;
  else plan.counters.integrityFailures++;
  const id = error.info.id as string | undefined;
  emit(sink, {
    // A missing key id is an operator mistake or a tampered key id: reported either way, as its own type.
    type: missingKey ? 'key_missing' : 'integrity_failure',
    message: error.message,
    repository: plan.name,
    ids: id ? [id] : undefined,
    actor: ctx?.actor,
    tenant: ctx?.tenant,
    traceId: ctx?.traceId,
    source: sink.source,
    details: { field: error.info.field, keyId: error.info.keyId },
  });
}
