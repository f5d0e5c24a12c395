import { ChatcoreError, type ErrorCode } from '@chatcore/core';
import type { OperationContext, OperationResult, PluginHost } from '@chatcore/core/plugin';

/**
 * How a repository call ended: `ok`, the `code` of the ChatcoreError it
 * raised (`VALIDATION`, `NOT_FOUND`, `CONFLICT`, ...), or `ERROR` for any
 * other error. A closed set, so it is safe as a metric label.
 *
 * @example
 * ```ts
 * const failed = (o: Outcome) => o !== 'ok';
 * ```
 */
export type Outcome = 'ok' | ErrorCode | 'ERROR';

const CODES = [
  'VALIDATION', 'NOT_FOUND', 'CONFLICT', 'UNIQUE_VIOLATION', 'FOREIGN_KEY', 'UNSUPPORTED_QUERY', 'CONNECTION', 'TIMEOUT', 'ABORTED',
  'SCHEMA_DRIFT', 'CONFIG', 'INTEGRITY', 'KEY', 'TRANSACTION', 'PARTIAL_WRITE', 'PLUGIN', 'DRIVER', 'MIGRATION',
] as const satisfies readonly ErrorCode[];

// A new ErrorCode in core must be listed above, or this line stops compiling.
const everyCode: [Exclude<ErrorCode, (typeof CODES)[number]>] extends [never] ? true : false = true;
void everyCode;

const KNOWN: ReadonlySet<string> = new Set(CODES);

/**
 * The outcome label of an error. Only the known codes pass through, so a
 * foreign error object carrying a `code` cannot add label values.
 *
 * @example
 * ```ts
 * outcomeOf(new ConflictError('users', id, 2)); // 'CONFLICT'
 * outcomeOf(new TypeError('x'));                // 'ERROR'
 * ```
 */
export function outcomeOf(error: unknown): Outcome {
  return error instanceof ChatcoreError && KNOWN.has(error.code) ? error.code : 'ERROR';
}

/**
 * Whether the repository layer will turn this successful onion result into
 * an error or a `false` after the plugins returned: `update(id)` and
 * `delete(id, { expectedVersion })` that matched no row. Core raises
 * NotFoundError/ConflictError there, above every plugin.
 */
export function isTargetedMiss(ctx: OperationContext, result: OperationResult): boolean {
  const op = ctx.operation;
  if (ctx.method === 'update') return op.kind === 'update' && result.rows.length === 0;
  if (ctx.method === 'delete') return op.kind === 'delete' && op.target.where !== undefined && (result.ids ?? []).length === 0;
  return false;
}

/**
 * The outcome of a targeted miss, decided as core decides it: with no
 * expected version, `update` is NOT_FOUND; with one, a record that still
 * exists means CONFLICT, a missing one NOT_FOUND for `update` and a plain
 * `false` (ok) for `delete`. Costs one read by id, on this path only.
 */
export async function missOutcome(ctx: OperationContext, session: PluginHost['session']): Promise<Outcome> {
  const op = ctx.operation;
  if (op.kind !== 'update' && op.kind !== 'delete') return 'ok';
  const absent: Outcome = op.kind === 'update' ? 'NOT_FOUND' : 'ok';
  const id = op.target.ids?.[0];
  if (op.target.where === undefined || id === undefined) return absent;
  try {
    const rows = await session.getByIds(op.schema, [id], { select: ['id'], signal: ctx.signal, idempotent: true });
    return rows.length > 0 ? 'CONFLICT' : absent;
  } catch (error) {
    // Core's own diagnostic read fails the same way and raises this error.
    return outcomeOf(error);
  }
}
