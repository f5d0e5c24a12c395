import { UniqueViolationError } from '@chatcore/core';
import type { OperationResult } from '@chatcore/core/plugin';
import type { RepositoryPlan } from './repository-plan.js';

/**
 * A write's result with unique violations told in the caller's field
 * names: a searchable field is unique through its blind index, so the
 * database names the index field (`emailBidx`); the caller declared
 * `email`, and code that checks `error.info.fields.includes('email')`
 * must find it. Other errors pass unchanged.
 *
 * @example
 * ```ts
 * return logicalUniqueFields(plan, insertThrough(plan, op, next, decrypt));
 * // UniqueViolationError: "A users record with the same email already exists", info.fields ['email']
 * ```
 */
export function logicalUniqueFields(plan: RepositoryPlan, write: Promise<OperationResult>): Promise<OperationResult> {
  if (plan.indexFields.size === 0) return write;
  return write.catch((error: unknown) => {
    if (!(error instanceof UniqueViolationError)) throw error;
    const fields = error.info.fields as readonly string[] | undefined;
    if (!fields?.some((f) => plan.indexFields.has(f))) throw error;
    const { repository, fields: _stored, ...info } = error.info as Record<string, unknown>;
    throw new UniqueViolationError(String(repository ?? plan.name), fields.map((f) => plan.indexFields.get(f) ?? f), { cause: error.cause, info });
  });
}
