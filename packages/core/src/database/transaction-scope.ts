import type { DriverSession } from '../driver/driver.js';
import type { TransactionHandle } from '../context/operation-context.js';
import type { CompletedOperation } from '../plugin/plugin.js';

/**
 * One attempt of one transaction: its driver session and the operations
 * that will be reported in afterCommit (or afterRollback).
 *
 * @example
 * ```ts
 * const scope = new TransactionScopeState('tx-1', 1, dtx, false);
 * scope.operations.push(completed);
 * ```
 */
export class TransactionScopeState implements TransactionHandle {
  readonly operations: CompletedOperation[] = [];
  settled = false;

  constructor(
    readonly id: string,
    readonly attempt: number,
    readonly session: DriverSession,
    readonly implicit: boolean,
    readonly parent?: TransactionScopeState,
  ) {}
}
