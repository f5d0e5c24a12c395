import { UnsupportedQueryError } from '@chatcore/core';
import type { NormalizedQuery, RepositorySchema } from '@chatcore/core/driver';
import { conditionFields } from '@chatcore/core/plugin';

/** What the emulator answers (FAILED_PRECONDITION) to a query it must scan by descending document id. */
const DESCENDING_KEY_SCAN = /does not support descending key scans/i;

/**
 * The error for a query ordered by id descending first, which the Firestore
 * emulator cannot run: it has no descending scan of document ids (production
 * Firestore may have one). Raised by the driver before sending when it
 * targets the emulator, and mapped from the emulator's answer otherwise
 * (`cause` set).
 *
 * @example
 * ```ts
 * throw descendingIdScanError('messages', undefined); // nothing was sent
 * ```
 */
export function descendingIdScanError(what: string, cause: unknown): UnsupportedQueryError {
  return new UnsupportedQueryError(
    `Firestore cannot run ${what}: it is ordered by id descending first, and the Firestore emulator does not support descending document-id scans. ` +
      'Fix: order by another field first (e.g. orderBy: { createdAt: \'desc\', id: \'desc\' }), add an equality filter on another field, ' +
      'or order by id ascending and reverse the rows.',
    { cause, info: { backend: 'firestore', limit: 'descendingIdScan' } },
  );
}

/**
 * Whether an SDK error message is the emulator's refusal of a descending
 * document-id scan.
 *
 * @example
 * ```ts
 * if (isDescendingKeyScan(detail)) return descendingIdScanError(what, error);
 * ```
 */
export function isDescendingKeyScan(detail: string): boolean {
  return DESCENDING_KEY_SCAN.test(detail);
}

/**
 * Refuse, before sending, a native query the emulator would answer with
 * "does not support descending key scans": the first order key is id
 * descending and the filter tests no field but the id (so the emulator must
 * scan document ids backwards). An equality on another field lets the
 * emulator serve the same order from an index, so such queries are sent.
 * Only for a driver that targets the emulator.
 *
 * @example
 * ```ts
 * if (ctx.emulator) checkEmulatorOrder(schema, query);
 * ```
 */
export function checkEmulatorOrder(schema: RepositorySchema, query: NormalizedQuery): void {
  const first = query.orderBy[0];
  if (first?.field !== 'id' || first.direction !== 'desc') return;
  for (const field of conditionFields(query.where)) if (field !== 'id') return;
  throw descendingIdScanError(`a query of ${schema.name}`, undefined);
}
