import type { DriverSession } from '../driver/driver.js';
import type { MethodName, Operation } from '../plugin/operation.js';

/**
 * The caller-supplied part of the context, propagated with AsyncLocalStorage
 * through `db.withContext()` (or given per call).
 *
 * @example
 * ```ts
 * const caller: CallerContext = { actor: 'user:42', tenant: 'acme', traceId: req.headers['x-trace-id'] };
 * await db.withContext(caller, () => db.users.get(id)); // every operation inside carries them
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
 * const attempts: Plugin = {
 *   name: 'attempts',
 *   afterUpdate({ ctx }) {
 *     const tx: TransactionHandle | undefined = ctx.transaction; // undefined outside a transaction
 *     if (tx) console.log(tx.id, tx.attempt, tx.implicit); // a retried transaction runs its hooks once per attempt
 *   },
 * };
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
 * const logging: Plugin = {
 *   name: 'logging',
 *   afterRead({ ctx }: HookEvent) {
 *     console.info({ traceId: ctx.traceId, actor: ctx.actor, repo: ctx.repository, op: ctx.method, ms: performance.now() - ctx.startedAtHr });
 *   },
 * };
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
  /**
   * Date.now() when the repository call started. Core may run one call
   * more than once (attempts of its implicit transaction, a write run again
   * without it after a size refusal): every run reports the call's start.
   */
  readonly startedAt: number;
  /** performance.now() when the repository call started (for durations; the same for every run of the call). */
  readonly startedAtHr: number;
  readonly transaction?: TransactionHandle | undefined;
  /**
   * The call's deadline: aborts when the call's timeout passes or the
   * caller's own signal fires, at the moment the caller gets its error;
   * the reason is that error (a TimeoutError or an AbortedError).
   * Undefined for a call with neither a timeout nor a signal.
   */
  readonly signal?: AbortSignal | undefined;
  /** Per-call options that plugins read (e.g. `cache`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The operation as the caller issued it (before plugins changed it). */
  readonly operation: Readonly<Operation>;
  /** Scratch space for plugins, keyed by plugin name or symbol. */
  readonly state: Map<string | symbol, unknown>;
}
