import type { DriverSession } from '../driver/driver.js';
import type { MethodName, Operation } from '../plugin/operation.js';

/**
 * The caller-supplied part of the context, propagated with AsyncLocalStorage
 * through `db.withContext()` (or given per call).
 *
 * @example
 * ```ts
 * await db.withContext({ actor: 'user:42', tenant: 'acme', traceId: req.headers['x-trace-id'] }, () => handle(req));
 * ```
 */
export interface CallerContext {
  readonly traceId?: string | undefined;
  readonly actor?: string | undefined;
  readonly tenant?: string | undefined;
}

/**
 * The transaction an operation runs in. Plugins write their own rows
 * through `session` so that they commit or roll back with the operation.
 *
 * @example
 * ```ts
 * ctx.transaction?.onCommit(() => flush());
 * ```
 */
export interface TransactionHandle {
  /** Unique per transaction (stable across retry attempts). */
  readonly id: string;
  /** 1 for the first attempt; higher when the backend retried the function. */
  readonly attempt: number;
  /** The driver session of this transaction (already below every plugin). */
  readonly session: DriverSession;
  /** True for the implicit transaction chatcore opens around one operation for a plugin that needs atomicity. */
  readonly implicit: boolean;
}

/**
 * Everything a plugin knows about the operation in flight.
 *
 * @example
 * ```ts
 * logger.info({ traceId: ctx.traceId, actor: ctx.actor, repo: ctx.repository, op: ctx.method, ms: Date.now() - ctx.startedAt });
 * ```
 */
export interface OperationContext {
  readonly traceId: string;
  readonly actor?: string | undefined;
  readonly tenant?: string | undefined;
  readonly repository: string;
  readonly method: MethodName;
  /** Transaction attempt (1 outside transactions). */
  readonly attempt: number;
  /** Date.now() when the repository call started. */
  readonly startedAt: number;
  /** performance.now() when the repository call started (for durations). */
  readonly startedAtHr: number;
  readonly transaction?: TransactionHandle | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Per-call options that plugins read (e.g. `cache`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The operation as the caller issued it (before plugins changed it). */
  readonly operation: Readonly<Operation>;
  /** Scratch space for plugins, keyed by plugin name or symbol. */
  readonly state: Map<string | symbol, unknown>;
}
