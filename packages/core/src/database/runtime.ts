import { randomUUID } from 'node:crypto';
import type { Driver, DriverSession } from '../driver/driver.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { OperationContext } from '../context/operation-context.js';
import { contextStore } from '../context/context-store.js';
import type { Plugin } from '../plugin/plugin.js';
import { familyOf, type MethodName, type Operation, type OperationResult } from '../plugin/operation.js';
import { Pipeline, callDriver } from '../plugin/pipeline.js';
import { deadlineError, remainingMs, withDeadline } from '../util/deadline.js';
import { ConfigError, ValidationError } from '../errors.js';
import { isRequestTooLarge } from '../driver/request-too-large.js';
import { parseTimeout } from '../util/duration.js';
import { CallOptionKeys } from '../repository/call-option-keys.js';
import type { CallOptions } from '../repository/repository-api.js';
import type { TransactionScopeState } from './transaction-scope.js';
import { RERUN, TransactionRunner } from './transaction-runner.js';
import { warnHook } from './hook-warning.js';
import { databaseClosedError } from './closed-database.js';
import { checkCapabilities, isLimited } from '../driver/check-capabilities.js';
import { ReferenceGuard, tooLargeToCheck } from '../references/reference-guard.js';
import type { IncludeHost } from '../relations/load-includes.js';

const WRITES = new Set<Operation['kind']>(['insert', 'update', 'delete', 'upsert']);

/** Who is calling: the call options first, then the ambient context (withContext); no trace id when neither has one. */
function callerContext(options: CallOptions | undefined): { traceId: string | undefined; actor: string | undefined; tenant: string | undefined } {
  const ambient = contextStore.getStore();
  return { traceId: options?.traceId ?? ambient?.traceId, actor: options?.actor ?? ambient?.actor, tenant: options?.tenant ?? ambient?.tenant };
}

/** ValidationErrors raised inside the onion (by a plugin or the driver): the plugins saw that call, so it is not rejected input. */
const fromOnion = new WeakSet<ValidationError>();

function idsOf(op: Operation, result: OperationResult): string[] {
  if (op.kind === 'delete') return result.ids ?? [];
  if (op.kind === 'count' || op.kind === 'aggregate') return [];
  return result.rows.map((r) => r.id as string);
}

/**
 * One run of a caller's call that core makes itself: an attempt of the
 * implicit transaction around a write, or the write run again without it.
 */
interface CallRun {
  /** performance.now() when the caller's call started: its timeout counts from there, across every run. */
  readonly startedAt: number;
  /** Without the transaction a plugin asks for (see askedTransaction). */
  readonly alone?: boolean;
  /** Enter the onion even past the deadline (with 1 ms left): plugins were told this run comes. */
  readonly promised?: boolean;
}

/** The ids a write names itself (rows it inserts, ids it targets); empty for a filter or an upsert. */
function namedIds(op: Operation): string[] {
  if (op.kind === 'insert') return op.rows.map((r) => r.id as string);
  if ((op.kind === 'update' || op.kind === 'delete') && op.target.ids) return [...op.target.ids];
  return [];
}

/**
 * The shared machinery behind every repository of one database: the plugin
 * onion, the driver, timeouts, transactions and the commit/rollback hooks.
 *
 * @example
 * ```ts
 * const result = await runtime.execute('get', op, options, scope);
 * ```
 */
export class DatabaseRuntime {
  readonly pipeline: Pipeline;
  /** db.transaction, tx.transaction and implicit transactions, with their hooks and misuse rules. */
  readonly transactions: TransactionRunner;
  private readonly transactionalWrites: boolean;
  /** Plugins that ask for a transaction around some writes (`needsTransaction`); none without driver transactions. */
  private readonly transactionAsked: readonly Plugin[];
  /** Plugins that want to hear about rejected input (empty for most stacks). */
  readonly invalidInputHooks: readonly Plugin[];
  /** The call option keys each method takes (core's and the plugins'). */
  readonly callOptionKeys: CallOptionKeys;
  private readonly limited: boolean;
  /** Enforces `.references()` where the backend does not, and runs cascades through the plugins. */
  readonly references: ReferenceGuard;
  readonly defaultTimeoutMs: number | undefined;
  /** Relations for `include`, when the database declares any (set once by createDatabase). */
  includes: IncludeHost<TransactionScopeState | undefined> | undefined;
  /** Set by db.close(): calls outside an open transaction, and new transactions, are refused from then on. */
  closed = false;

  constructor(
    readonly driver: Driver,
    readonly plugins: readonly Plugin[],
    readonly storage: ReadonlyMap<string, RepositorySchema>,
    defaultTimeout: number | string | undefined,
  ) {
    this.pipeline = new Pipeline(plugins);
    this.transactions = new TransactionRunner(driver, plugins);
    this.limited = isLimited(driver.capabilities);
    this.references = new ReferenceGuard(storage, driver.capabilities);
    this.invalidInputHooks = plugins.filter((p) => p.onInvalidInput);
    this.callOptionKeys = new CallOptionKeys(plugins);
    this.transactionalWrites = plugins.some((p) => p.needsTransactionalWrites) && driver.capabilities.transactions;
    this.transactionAsked = driver.capabilities.transactions ? plugins.filter((p) => p.needsTransaction) : [];
    this.defaultTimeoutMs = defaultTimeout === undefined ? undefined : configTimeout(defaultTimeout);
  }

  /** Build the context of one call from the ambient context, the call options and the scope. */
  context(method: MethodName, op: Operation, options: CallOptions | undefined, scope: TransactionScopeState | undefined): OperationContext {
    return this.callContext(method, op, options, scope);
  }

  /** `startedAtHr`: when the caller's call started, for a run core makes of it (see CallRun); now otherwise. */
  private callContext(method: MethodName, op: Operation, options: CallOptions | undefined, scope: TransactionScopeState | undefined, startedAtHr?: number): CallContext {
    const { traceId, actor, tenant } = callerContext(options);
    return new CallContext(
      traceId,
      actor,
      tenant,
      method,
      op,
      options,
      scope,
      startedAtHr,
    );
  }

  /**
   * Run one operation through the onion, in `scope` or on its own (autocommit, or an implicit transaction when a plugin needs one).
   * `run`: a run core makes of a caller's call (see CallRun), which gets only what is left of the call's timeout.
   */
  async execute(method: MethodName, op: Operation, options: CallOptions | undefined, scope: TransactionScopeState | undefined, run?: CallRun): Promise<OperationResult> {
    if (scope) scope.assertOpen(op.schema.name, method);
    else {
      // A transaction already open may finish (the driver lets it); a new call is refused before anything runs.
      if (this.closed) throw databaseClosedError(`${op.schema.name}.${method}`);
      const wait = this.transactions.outside(op.schema.name, method);
      if (wait) await wait;
    }
    if (this.limited) checkCapabilities(op, this.driver.capabilities, this.driver.name);
    const guarded = this.references.applies(op);
    if (!scope && WRITES.has(op.kind)) {
      if (this.transactionalWrites || (guarded && this.driver.capabilities.transactions)) {
        const written = this.implicitTransaction(method, op, options, run?.startedAt ?? performance.now());
        return guarded ? written.catch((error: unknown) => { throw tooLargeToCheck(error, op.schema.name, method); }) : written;
      }
      if (!run?.alone && this.asksTransaction(op)) return this.askedTransaction(method, op, options, performance.now());
    }
    // Every run of one call reports the call's start: plugins time the call, not the run.
    const ctx = this.callContext(method, op, options, scope, run?.startedAt);
    const session: DriverSession = scope?.session ?? this.driver;
    const timeoutMs = this.timeoutOf(options, op);
    // The driver's own deadline: what is left of the call's (at least 1 ms; past it, withDeadline fails at once).
    const startedAt = run?.promised && timeoutMs ? Math.max(run.startedAt, performance.now() - timeoutMs + 1) : run?.startedAt;
    const driverMs = run && timeoutMs ? Math.max(1, Math.ceil(remainingMs(timeoutMs, startedAt)!)) : timeoutMs;
    let result: OperationResult;
    try {
      result = await withDeadline(
        // Unguarded (every read): the driver's promise itself, without an async frame around it.
        (signal) => this.pipeline.run(op, ctx.bindSignal(signal), guarded
          ? (o) => this.references.run(o, session, scope, ctx, (checked) => callDriver(session, checked, { signal, timeoutMs: driverMs, idempotent: !WRITES.has(checked.kind) }))
          : (o) => callDriver(session, o, { signal, timeoutMs: driverMs, idempotent: !WRITES.has(o.kind) })),
        { signal: options?.signal, timeoutMs, what: `${ctx.repository}.${method}`, startedAt },
      );
    } catch (error) {
      if (error instanceof ValidationError) fromOnion.add(error);
      // The write may have reached the database before the call failed, and the caller may catch and commit.
      if (scope && WRITES.has(op.kind)) scope.operations.push({ op, ctx, result: { rows: [] }, ids: namedIds(op), failed: true });
      throw error;
    }
    if (scope) scope.operations.push({ op, ctx, result, ids: idsOf(op, result) });
    else if (this.transactions.hasCommitHooks) {
      const hooks = this.transactions.fireCommit({ transactionId: ctx.traceId, attempt: 1, implicit: true, operations: [{ op, ctx, result, ids: idsOf(op, result) }] });
      if (hooks !== undefined) await hooks;
    }
    return result;
  }

  /** Whether a plugin asks for a transaction around this write. */
  private asksTransaction(op: Operation): boolean {
    for (const p of this.transactionAsked) if (p.needsTransaction!(op)) return true;
    return false;
  }

  /** The call's timeout in ms: the call's own, or the database's default. */
  private timeoutOf(options: CallOptions | undefined, op: Operation): number | undefined {
    if (options?.timeout === undefined) return this.defaultTimeoutMs;
    try {
      return parseTimeout(options.timeout, 'timeout');
    } catch (error) {
      // A read's refusal says nothing of writes.
      if (error instanceof ValidationError && familyOf(op.kind) === 'read') throw new ValidationError(error.issues, { context: 'duration', read: true });
      throw error;
    }
  }

  /**
   * The implicit transaction a plugin asked for. One the backend refuses
   * whole for its size (isRequestTooLarge: Firestore sends a transaction's
   * writes in one request; nothing was written) runs again without it, as
   * the driver runs that write alone: the plugin sees no transaction and
   * reports what it committed before a failure (PartialWriteError). The
   * refused attempt's afterRollback says so (`rerun`), unless the call's
   * timeout has passed or its signal fired: the call then fails with its
   * TimeoutError or AbortedError, which afterRollback gets as the call's
   * outcome. Both runs share the call's timeout, counted from `startedAt`;
   * an announced rerun runs through the plugins even with nothing left, so
   * they see its end.
   */
  private async askedTransaction(method: MethodName, op: Operation, options: CallOptions | undefined, startedAt: number): Promise<OperationResult> {
    const deadline = { signal: options?.signal, timeoutMs: this.timeoutOf(options, op), what: `${op.schema.name}.${method}`, startedAt };
    const settle = (error: unknown): unknown => (isRequestTooLarge(error) ? deadlineError(deadline) ?? RERUN : error);
    try {
      return await this.implicitTransaction(method, op, options, startedAt, settle);
    } catch (error) {
      if (!isRequestTooLarge(error)) throw error;
      // Announced to the plugins (afterRollback, `rerun`): it enters the onion even if their hooks used up the
      // time, so that they see how it ends.
      return this.execute(method, cloneOp(op), options, undefined, { startedAt, alone: true, promised: true });
    }
  }

  private implicitTransaction(method: MethodName, op: Operation, options: CallOptions | undefined, startedAt: number, settle?: (error: unknown) => unknown): Promise<OperationResult> {
    // Plugins may re-run the op (retries), so each attempt gets a fresh copy; every attempt shares the call's timeout.
    return this.transactions.implicit((scope) => this.execute(method, cloneOp(op), options, scope, { startedAt }), options?.signal, settle);
  }

  /** Whether `error` came out of the onion (so it is not input rejected before it). */
  enteredOnion(error: ValidationError): boolean {
    return fromOnion.has(error);
  }

  /** Tell the plugins that caller input was rejected before the onion. */
  async reportInvalidInput(repository: string, method: MethodName, error: ValidationError, options: CallOptions | undefined): Promise<void> {
    const caller = callerContext(options);
    const context = { ...caller, traceId: caller.traceId ?? randomUUID() };
    for (const p of this.invalidInputHooks) {
      try {
        await p.onInvalidInput!({ repository, method, context, error });
      } catch (hookError) {
        warnHook(p, 'onInvalidInput', hookError);
      }
    }
  }
}

function cloneOp(op: Operation): Operation {
  switch (op.kind) {
    case 'insert': return { ...op, rows: op.rows.map((r) => ({ ...r })) };
    case 'upsert': return { ...op, row: { ...op.row }, patch: { set: { ...op.patch.set }, increment: { ...op.patch.increment } } };
    case 'update': return { ...op, patch: { set: { ...op.patch.set }, increment: { ...op.patch.increment } } };
    default: return { ...op };
  }
}

const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The operation context as a class: one shape for every call, and the plugin
 * state map and the generated trace id made only on first use (a stack
 * without plugins never reads the trace id; a UUID costs about a microsecond).
 */
class CallContext implements OperationContext {
  readonly repository: string;
  readonly attempt: number;
  readonly startedAt: number;
  readonly startedAtHr: number;
  /** The caller's signal; in execute(), the call's deadline signal (bindSignal), set before any plugin runs. */
  signal: AbortSignal | undefined;
  readonly options: Readonly<Record<string, unknown>>;
  #state: Map<string | symbol, unknown> | undefined;
  #traceId: string | undefined;

  constructor(
    traceId: string | undefined,
    readonly actor: string | undefined,
    readonly tenant: string | undefined,
    readonly method: MethodName,
    readonly operation: Operation,
    options: CallOptions | undefined,
    readonly transaction: TransactionScopeState | undefined,
    startedAtHr: number | undefined,
  ) {
    if (startedAtHr === undefined) {
      this.startedAtHr = performance.now();
      this.startedAt = Date.now();
    } else {
      this.startedAtHr = startedAtHr;
      this.startedAt = Math.round(Date.now() - (performance.now() - startedAtHr));
    }
    this.#traceId = traceId;
    this.repository = operation.schema.name;
    this.attempt = transaction?.attempt ?? 1;
    this.signal = options?.signal;
    this.options = (options ?? NO_OPTIONS) as Readonly<Record<string, unknown>>;
  }

  /** Give the plugins the call's deadline signal (it fires when the caller is released); returns this context. */
  bindSignal(signal: AbortSignal | undefined): this {
    this.signal = signal;
    return this;
  }

  /** The caller's trace id (call options, then the ambient context), or one made for this call on first read. */
  get traceId(): string {
    return (this.#traceId ??= randomUUID());
  }

  get state(): Map<string | symbol, unknown> {
    return (this.#state ??= new Map());
  }
}

/** createDatabase's `defaultTimeout`: a bad one is a ConfigError (a definition, not a call's input). */
function configTimeout(value: number | string): number {
  try {
    return parseTimeout(value, 'defaultTimeout');
  } catch (error) {
    if (error instanceof ValidationError) throw new ConfigError(`createDatabase: defaultTimeout: ${error.issues.map((i) => i.message).join('; ')}.`, { cause: error });
    throw error;
  }
}
