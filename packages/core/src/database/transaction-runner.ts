import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Driver } from '../driver/driver.js';
import type { Plugin, TransactionEvent } from '../plugin/plugin.js';
import { TransactionError, UnsupportedQueryError } from '../errors.js';
import { runWithContext } from '../context/context-store.js';
import { parseTimeout } from '../util/duration.js';
import { withDeadline } from '../util/deadline.js';
import { TransactionScopeState } from './transaction-scope.js';
import { warnHook } from './hook-warning.js';
import type { TransactionCallOptions } from './database-api.js';
import { checkTransactionOptions } from './transaction-options.js';

function misuseOfDb(repository: string | undefined, method: string): TransactionError {
  const called = repository === undefined ? `db.${method}()` : `db.${repository}.${method}()`;
  const instead = repository === undefined ? 'tx.transaction() runs a nested transaction, a savepoint' : `tx.${repository}.${method}()`;
  return new TransactionError(
    `${called} was called inside the callback of an open transaction. Use the callback's handle instead (${instead}): ` +
      'a call on db would run outside the transaction, and on a single-connection backend wait for it forever. ' +
      'Work meant to run outside the transaction must start after db.transaction() has returned.',
  );
}

/**
 * What `implicit`'s `settle` returns when the write runs again without the transaction.
 *
 * @example
 * ```ts
 * await runner.implicit(run, signal, (error) => (isRequestTooLarge(error) ? RERUN : error));
 * ```
 */
export const RERUN: unique symbol = Symbol('chatcore.rerun');

/**
 * A top-level transaction as its callback's async context sees it. Work the
 * callback starts inherits this context (AsyncLocalStorage), awaited or not.
 */
class ActiveTransaction {
  /** A callback attempt is running: calls on db from this context would run beside the transaction. */
  running = false;
  /** The transaction has committed or rolled back and its hooks have run. */
  ended = false;
  /** Resolves when `ended` becomes true. */
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor() {
    this.done = new Promise<void>((resolve) => (this.resolve = resolve));
  }

  finish(): void {
    this.ended = true;
    this.resolve();
  }
}

/**
 * The one home of transactions in core: `db.transaction`, `tx.transaction`
 * (a savepoint) and the implicit transaction around one write. It opens
 * the scopes, closes them when their callback settles (a leaked handle
 * raises TransactionError), fires afterCommit/afterRollback once per
 * attempt, and enforces the rule for `db` inside a callback: while the
 * callback of an open transaction runs, a call on `db` from its async
 * context raises TransactionError (it would run beside the transaction,
 * and on a single-connection backend wait for it forever); after the
 * callback returned, such a call waits until the transaction has ended and
 * then runs outside it.
 *
 * @example
 * ```ts
 * const runner = new TransactionRunner(driver, plugins);
 * await runner.run(handleOf, async (tx) => tx.users.create({ name: 'Ada' }), { isolation: 'serializable' });
 * ```
 */
export class TransactionRunner {
  private readonly active = new AsyncLocalStorage<ActiveTransaction>();
  private readonly commitHooks: readonly Plugin[];
  private readonly rollbackHooks: readonly Plugin[];
  /** Whether any plugin listens for commits (autocommit operations report themselves only then). */
  readonly hasCommitHooks: boolean;

  constructor(private readonly driver: Driver, plugins: readonly Plugin[]) {
    this.commitHooks = plugins.filter((p) => p.afterCommit);
    this.rollbackHooks = plugins.filter((p) => p.afterRollback);
    this.hasCommitHooks = this.commitHooks.length > 0;
  }

  /**
   * Called before every operation on `db` (not on a tx handle), with the
   * repository and method for the message (`repository` undefined for
   * db.transaction itself): undefined outside any transaction callback
   * (the fast path), a promise to await when the callback that started
   * this work has returned but its transaction has not ended yet; throws
   * while that callback runs.
   */
  outside(repository: string | undefined, method: string): Promise<void> | undefined {
    const active = this.active.getStore();
    if (active === undefined || active.ended) return undefined;
    if (active.running) throw misuseOfDb(repository, method);
    return active.done;
  }

  /**
   * `db.transaction(fn)`: `fn` gets the handle `handleOf` makes for each
   * attempt's scope; retried attempts are rolled back (and reported) first.
   */
  async run<H, T>(handleOf: (scope: TransactionScopeState) => H, fn: (handle: H) => Promise<T>, options?: TransactionCallOptions): Promise<T> {
    if (typeof fn !== 'function') throw new TransactionError('transaction() needs a function: db.transaction(async (tx) => { ... })');
    const opts = checkTransactionOptions(options, 'transaction');
    const wait = this.outside(undefined, 'transaction');
    if (wait) await wait;
    if (!this.driver.capabilities.transactions) throw new UnsupportedQueryError(`The ${this.driver.name} driver does not support transactions.`);
    const id = randomUUID();
    const active = new ActiveTransaction();
    let attempt = 0;
    let scope: TransactionScopeState | undefined;
    const timeoutMs = opts.timeout === undefined ? undefined : parseTimeout(opts.timeout, 'timeout');
    const body = () =>
      withDeadline(
        (signal) =>
          this.driver.transaction(async (dtx) => {
            // A new attempt means the backend rolled the previous one back (contention, serialization failure).
            if (scope) await this.settleRollback(scope, new TransactionError('transaction attempt was retried by the backend'), 'retried');
            const current = (scope = new TransactionScopeState(id, ++attempt, dtx, false));
            return this.active.run(active, async () => {
              active.running = true;
              try {
                return await fn(handleOf(current));
              } finally {
                active.running = false;
                current.close();
              }
            });
          }, { isolation: opts.isolation, signal, timeoutMs }),
        { signal: opts.signal, timeoutMs, what: 'The transaction' },
      );
    try {
      const result = await (opts.traceId || opts.actor || opts.tenant ? runWithContext(opts, body) : body());
      if (scope) await this.settleCommit(scope);
      return result;
    } catch (error) {
      if (scope) await this.settleRollback(scope, error);
      throw error;
    } finally {
      active.finish();
    }
  }

  /** `tx.transaction(fn)`: a savepoint inside `parent`; its operations join the parent's when it succeeds. */
  async nested<H, T>(parent: TransactionScopeState, handleOf: (scope: TransactionScopeState) => H, fn: (handle: H) => Promise<T>, options?: TransactionCallOptions): Promise<T> {
    parent.assertOpen(undefined, 'transaction');
    if (typeof fn !== 'function') throw new TransactionError('transaction() needs a function: tx.transaction(async (inner) => { ... })');
    const opts = checkTransactionOptions(options, 'transaction');
    if (!this.driver.capabilities.nestedTransactions) {
      throw new UnsupportedQueryError(`The ${this.driver.name} driver has no nested transactions (savepoints); run the work in the outer transaction.`);
    }
    let child: TransactionScopeState | undefined;
    try {
      const result = await parent.session.transaction(async (dtx) => {
        const current = (child = new TransactionScopeState(parent.id, parent.attempt, dtx, false, parent));
        try {
          return await fn(handleOf(current));
        } finally {
          current.close();
        }
      }, { isolation: opts.isolation, signal: opts.signal });
      parent.operations.push(...child!.operations);
      child!.settled = true;
      child!.end('released into its outer transaction');
      return result;
    } catch (error) {
      if (child) await this.settleRollback(child, error);
      throw error;
    }
  }

  /**
   * The implicit transaction around one write, for plugins that need their own rows to commit with it.
   * `settle(error)`: what this failure ends in, RERUN when the caller runs the write again (afterRollback then
   * says so, and `error` is thrown), otherwise the error the call fails with (afterRollback gets that one).
   */
  async implicit<T>(fn: (scope: TransactionScopeState) => Promise<T>, signal: AbortSignal | undefined, settle?: (error: unknown) => unknown): Promise<T> {
    const id = randomUUID();
    let attempt = 0;
    let scope: TransactionScopeState | undefined;
    try {
      const result = await this.driver.transaction(async (dtx) => {
        if (scope) await this.settleRollback(scope, new TransactionError('transaction attempt was retried by the backend'), 'retried');
        const current = (scope = new TransactionScopeState(id, ++attempt, dtx, true));
        try {
          return await fn(current);
        } finally {
          current.close();
        }
      }, { signal });
      await this.settleCommit(scope!);
      return result;
    } catch (error) {
      const outcome = settle ? settle(error) : error;
      const rerun = outcome === RERUN;
      if (scope) await this.settleRollback(scope, rerun ? error : outcome, rerun ? 'rerun' : undefined);
      throw rerun ? error : outcome;
    }
  }

  /** Fire afterCommit once for a committed scope. */
  async settleCommit(scope: TransactionScopeState): Promise<void> {
    if (scope.settled) return;
    scope.settled = true;
    scope.end('committed');
    if (this.commitHooks.length) {
      await this.fireCommit({ transactionId: scope.id, attempt: scope.attempt, implicit: scope.implicit, operations: scope.operations });
    }
  }

  /**
   * Fire afterRollback once for a rolled-back scope. `next`: what follows it, `retried` (the backend runs
   * another attempt) or `rerun` (its write runs again without a transaction); nothing when the rollback is final.
   */
  async settleRollback(scope: TransactionScopeState, error: unknown, next?: 'retried' | 'rerun'): Promise<void> {
    if (scope.settled) return;
    scope.settled = true;
    scope.end('rolled back');
    for (const p of this.rollbackHooks) {
      try {
        await p.afterRollback!({ transactionId: scope.id, attempt: scope.attempt, implicit: scope.implicit, operations: scope.operations, error, ...(next ? { [next]: true } : {}) });
      } catch (hookError) {
        warnHook(p, 'afterRollback', hookError);
      }
    }
  }

  /**
   * Tell the afterCommit hooks about a committed unit (a transaction, or one
   * operation in autocommit), in order. Synchronous hooks cost no await:
   * undefined when every hook returned without a promise, otherwise a
   * promise that settles after the rest ran (each awaited in turn).
   */
  fireCommit(event: TransactionEvent): Promise<void> | undefined {
    const hooks = this.commitHooks;
    for (let i = 0; i < hooks.length; i++) {
      const pending = this.callCommit(hooks[i]!, event);
      if (pending !== undefined) return this.fireCommitFrom(event, i, pending);
    }
    return undefined;
  }

  /** The hooks after `hooks[i]`, whose promise is `pending`, in order. */
  private async fireCommitFrom(event: TransactionEvent, i: number, pending: Promise<unknown>): Promise<void> {
    await pending;
    for (let j = i + 1; j < this.commitHooks.length; j++) await this.callCommit(this.commitHooks[j]!, event);
  }

  /** One afterCommit hook: its promise when it returned one (never rejecting), else undefined. */
  private callCommit(p: Plugin, event: TransactionEvent): Promise<unknown> | undefined {
    // The data is committed: failing the call now would invite a retry that applies it twice.
    try {
      const r = p.afterCommit!(event);
      if (r !== undefined && r !== null && typeof (r as PromiseLike<void>).then === 'function') {
        return Promise.resolve(r).catch((hookError: unknown) => warnHook(p, 'afterCommit', hookError));
      }
    } catch (hookError) {
      warnHook(p, 'afterCommit', hookError);
    }
    return undefined;
  }
}
