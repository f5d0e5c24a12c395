import type { SqlExecutor } from './sql-executor.js';

/**
 * How large one statement may be on a client. Bulk writes are split into
 * several statements (run atomically) that stay under both bounds.
 *
 * @example
 * ```ts
 * const limits: StatementLimits = { maxParameters: 32_767, maxBytes: 16 * 1024 * 1024 };
 * ```
 */
export interface StatementLimits {
  /** Most bind parameters in one statement. */
  readonly maxParameters: number;
  /**
   * Rough bound on the parameter bytes of one bulk statement. Not a protocol
   * limit: a statement far over it still runs, but the server builds the
   * whole batch in memory several times over (an embedded server can run out).
   */
  readonly maxBytes: number;
}

/**
 * PostgreSQL's limits: 65535 parameters (the protocol's count is an unsigned
 * 16-bit integer), and 64 MiB of values per bulk statement, far under the
 * 1 GiB a single message or value may reach.
 *
 * @example
 * ```ts
 * const limits = { ...POSTGRES_STATEMENT_LIMITS, ...executor.limits };
 * ```
 */
export const POSTGRES_STATEMENT_LIMITS: StatementLimits = Object.freeze({ maxParameters: 65_535, maxBytes: 64 * 1024 * 1024 });

/**
 * The limits an executor declares, PostgreSQL's for what it leaves out.
 *
 * @example
 * ```ts
 * const { maxParameters } = limitsOf(executor);
 * ```
 */
export function limitsOf(executor: SqlExecutor): StatementLimits {
  return executor.limits ? { ...POSTGRES_STATEMENT_LIMITS, ...executor.limits } : POSTGRES_STATEMENT_LIMITS;
}

/**
 * Bytes a parameter value adds to a statement, roughly: its text form plus
 * separators (exactness does not matter, staying in the right magnitude does).
 *
 * @example
 * ```ts
 * valueBytes('hello'); // 9
 * ```
 */
export function valueBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'string') return value.length + 4;
  // bytea travels as hex text (two characters a byte) on PGlite.
  if (value instanceof Uint8Array) return value.byteLength * 2 + 4;
  if (Array.isArray(value)) {
    let n = 4;
    for (const v of value) n += valueBytes(v);
    return n;
  }
  return 32;
}

/**
 * Split `count` rows into consecutive runs `[start, end)` whose statements
 * stay under `limits`: at most `maxParameters / parametersPerRow` rows (no
 * bound when a statement's parameter count does not grow with its rows, as
 * with unnest), and at most `maxBytes` of values by `rowBytes`. A row larger
 * than `maxBytes` on its own gets a run of its own.
 *
 * @example
 * ```ts
 * for (const [start, end] of chunkRows(rows.length, 7, limits, (i) => 100)) insert(rows.slice(start, end));
 * ```
 */
export function chunkRows(count: number, parametersPerRow: number, limits: StatementLimits, rowBytes: (row: number) => number): Array<[number, number]> {
  const perChunk = parametersPerRow > 0 ? Math.max(1, Math.floor(limits.maxParameters / parametersPerRow)) : Infinity;
  const out: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const size = rowBytes(i);
    if (i > start && (i - start >= perChunk || bytes + size > limits.maxBytes)) {
      out.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (count > start) out.push([start, count]);
  return out;
}
