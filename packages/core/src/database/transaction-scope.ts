import type { DriverSession } from '../driver/driver.js';
import type { TransactionHandle } from '../context/operation-context.js';
import type { CompletedOperation } from '../plugin/plugin.js';
import { TransactionError } from '../errors.js';

/**
 * How a scope ended, as its leaked handle reports it: `finished` from the
 * moment its callback settled until the backend answered, then the outcome.
 */
type Outcome = 'finished' | 'committed' | 'rolled back' | 'released into its outer transaction';

/**
 * One attempt of one transaction (or of a nested one): its driver session,
 * the operations that will be reported in afterCommit (or afterRollback),
 * and whether its handle still accepts calls. A handle works only while its
 * callback runs; afterwards every call raises TransactionError, so a leaked
 * `tx` can never write in autocommit, into someone else's transaction, or
 * into a buffer nobody commits.
 *
 * @example
 * ```ts
 * const scope = new TransactionScopeState('tx-1', 1, dtx, false);
 * scope.assertOpen('items', 'create');
 * scope.close();
 * ```
 */
export class TransactionScopeState implements TransactionHandle {
  readonly operations: CompletedOperation[] = [];
  /** afterCommit or afterRollback has fired (or, for a nested scope, its operations moved to the parent). */
  settled = false;
  #outcome: Outcome | undefined;

  constructor(
    readonly id: string,
    readonly attempt: number,
    readonly session: DriverSession,
    readonly implicit: boolean,
    readonly parent?: TransactionScopeState,
  ) {}

  /** The callback settled: from now on the handle refuses calls. */
  close(): void {
    this.#outcome ??= 'finished';
  }

  /** Record how the transaction ended (after close). */
  end(outcome: Exclude<Outcome, 'finished'>): void {
    this.#outcome = outcome;
  }

  /** Whether the handle still accepts calls. */
  get open(): boolean {
    return this.#outcome === undefined && (this.parent?.open ?? true);
  }

  /** Throw TransactionError when the handle's callback has already settled (`repository` undefined for tx.transaction). */
  assertOpen(repository: string | undefined, method: string): void {
    if (this.open) return;
    const outcome = this.#outcome ?? 'finished';
    const called = repository === undefined ? `tx.${method}()` : `tx.${repository}.${method}()`;
    throw new TransactionError(
      `${called} was called after its transaction ${outcome}. A tx handle works only while its callback runs: ` +
        'do the work inside the callback (and await it there), or use db after db.transaction() has returned.',
      { info: { transactionId: this.id, attempt: this.attempt } },
    );
  }
}
