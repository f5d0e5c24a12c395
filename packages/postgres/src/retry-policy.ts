import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { ChatcoreError, ConnectionError, TransactionError } from '@chatcore/core';
import { type ResolvedRetryOptions } from '@chatcore/core/driver';

/**
 * Where a connection failure happened, which decides whether a write may
 * be retried: `connect` (the statement was never sent: always safe),
 * `statement` (sent, outcome unknown for an autocommit write; inside a
 * transaction, which cannot have committed), `commit` (COMMIT was sent and
 * its answer lost: outcome unknown).
 *
 * @example
 * ```ts
 * if (phaseOf(err) === 'commit') reportUnknownOutcome();
 * ```
 */
export type FailurePhase = 'connect' | 'statement' | 'commit';

/**
 * What a connection failure says about the server, which decides whether a
 * circuit breaker counts it: `server` (a new connection could not be
 * opened: refused, reset, timed out, TLS, the server starting or shutting
 * down) or `session` (one established connection was lost or killed; the
 * server may be accepting new ones, which a fresh connection finds out).
 *
 * @example
 * ```ts
 * const lost = connectionFailure(err, 'statement', 'primary'); // lost.info.evidence === 'session'
 * ```
 */
export type FailureEvidence = 'server' | 'session';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED',
  '57P01', '57P02', '57P03', '53300',
]);
// pg-pool's "timeout exceeded when trying to connect" ends any wait for a connection: one that
// reaches here waited on a new connection the server did not accept in time (PoolTarget turns a
// wait for a busy pool into the pool TimeoutError first).
const CONNECTION_MESSAGES = /connection terminated|connection error|not queryable|timeout exceeded when trying to connect|server closed the connection|terminating connection/i;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether a raw client error means the connection (not the statement)
 * failed: refused or reset sockets, admin/crash shutdown (57P01/57P02),
 * server starting or stopping (57P03), too many connections (53300), any
 * 08xxx connection exception, or pg's own connect timeout.
 *
 * @example
 * ```ts
 * if (isRawConnectionFailure(err)) breaker.noteFailure();
 * ```
 */
export function isRawConnectionFailure(err: unknown): boolean {
  if (err instanceof ChatcoreError) return err instanceof ConnectionError;
  const code = codeOf(err);
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return err instanceof Error && CONNECTION_MESSAGES.test(err.message);
}

/**
 * Whether an error is a serialization failure (40001) or deadlock (40P01):
 * the database rolled the statement or transaction back, so running it
 * again cannot apply it twice. Raw or already mapped.
 *
 * @example
 * ```ts
 * if (isRolledBackConflict(err)) await runAgain();
 * ```
 */
export function isRolledBackConflict(err: unknown): boolean {
  if (err instanceof TransactionError) return err.info.retryable === true;
  const code = codeOf(err);
  return code === '40001' || code === '40P01';
}

/**
 * The phase recorded on a ConnectionError raised by the resilient executor.
 *
 * @example
 * ```ts
 * if (phaseOf(err) === 'connect') retrySafely();
 * ```
 */
export function phaseOf(err: unknown): FailurePhase | undefined {
  if (!(err instanceof ConnectionError)) return undefined;
  const phase = err.info.phase;
  return phase === 'connect' || phase === 'statement' || phase === 'commit' ? phase : undefined;
}

/**
 * Wrap a raw connection failure in a ConnectionError that records where it
 * happened (so retry decisions survive the SQL driver's error mapping) and
 * what it says about the server (`evidence`: by default `server` for the
 * connect phase, `session` otherwise), keeping only the code and message of
 * the cause.
 *
 * @example
 * ```ts
 * throw connectionFailure(err, 'statement', 'primary');
 * ```
 */
export function connectionFailure(err: unknown, phase: FailurePhase, target: string, evidence: FailureEvidence = phase === 'connect' ? 'server' : 'session'): ConnectionError {
  if (err instanceof ConnectionError) return err;
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const cause = new Error(message.slice(0, 300));
  if (code) (cause as NodeJS.ErrnoException).code = code;
  if (code === '3D000') {
    // The server answered: it is up, the database named in the settings is not there. Retrying cannot help.
    const name = /database "([^"]{1,200})" does not exist/.exec(message)?.[1];
    return new ConnectionError(
      `The database ${name === undefined ? '' : `"${name}" `}does not exist on the server of ${target} (3D000). Create it (createdb), or correct the database name in url or database_name.`,
      { cause, info: { sqlState: code, phase, target, evidence, transient: false, ...(name === undefined ? {} : { database: name }) } },
    );
  }
  if (code === '28000' || code === '28P01') {
    // The server answered and refused the role or its credentials: it is up, and retrying cannot help.
    return new ConnectionError(
      `The server of ${target} refused to authenticate the connection (${code}: ${message.slice(0, 200)}); the statement was not sent. ` +
        'Correct the user or password (url, or user and password), or create the role and allow it in pg_hba.conf.',
      { cause, info: { sqlState: code, phase, target, evidence, transient: false } },
    );
  }
  if (code === '25P03') {
    // The server ends a session idle in a transaction only while it waits for the next statement: nothing was committed.
    return new ConnectionError(
      `The server of ${target} ended the session because its transaction stayed idle longer than idleInTransactionTimeout (25P03): ` +
        'the transaction was rolled back and nothing of it was committed. Keep the work between the statements of a transaction short, or raise idleInTransactionTimeout.',
      { cause, info: { sqlState: code, phase, target, evidence, transient: false } },
    );
  }
  const what = phase === 'connect'
    ? 'could not be reached (the statement was not sent)'
    : phase === 'commit'
      ? 'was lost while committing: the transaction may or may not have committed'
      : 'was lost while a statement ran: an autocommit write may or may not have been applied';
  return new ConnectionError(
    `The database connection to ${target} ${what} (${code ?? message.slice(0, 120)}). Check that the server is up and reachable; reads are retried automatically, writes only when that is provably safe.`,
    { cause, info: { sqlState: code, phase, target, evidence, transient: isRawConnectionFailure(err) } },
  );
}

/**
 * Whether an error is a connection failure that a retry may cure (not a
 * refused password or a missing database, and not a breaker that is open).
 *
 * @example
 * ```ts
 * if (isTransientConnectionError(err) && phaseOf(err) === 'connect') retry();
 * ```
 */
export function isTransientConnectionError(err: unknown): boolean {
  if (err instanceof ConnectionError) return err.info.transient === true;
  return !(err instanceof ChatcoreError) && isRawConnectionFailure(err);
}

/**
 * Whether an error is evidence that the server cannot be reached: a new
 * connection failed transiently (refused, reset, timed out, the server
 * starting or shutting down) or its TLS handshake failed. This is what a
 * circuit breaker counts. Never SQL errors (answers from a live server),
 * waits for a free connection of a full pool, the caller's own give-up, or
 * the loss of one established session (see `isSessionLoss`).
 *
 * @example
 * ```ts
 * circuitBreaker(handleWhen(countsAgainstServer), { ... });
 * ```
 */
export function countsAgainstServer(err: unknown): boolean {
  if (!(err instanceof ConnectionError) || err.info.breaker !== undefined) return false;
  if (err.info.tlsCode !== undefined) return true;
  return err.info.transient === true && err.info.evidence === 'server';
}

/**
 * Whether an error is the loss of one established connection (killed,
 * reset, or found dead when handed over): the server may be fine, so a
 * breaker checks with a fresh connection instead of counting it.
 *
 * @example
 * ```ts
 * if (isSessionLoss(err)) breaker.failed(err); // confirms with a fresh connection
 * ```
 */
export function isSessionLoss(err: unknown): boolean {
  return err instanceof ConnectionError && err.info.breaker === undefined && err.info.transient === true && err.info.evidence === 'session';
}

/**
 * A cockatiel retry policy: up to `maxRetries` retries with exponential
 * backoff and decorrelated jitter, for the errors `shouldRetry` accepts.
 *
 * @example
 * ```ts
 * const reads = retryPolicy(resolveRetryOptions({}), (e) => isRawConnectionFailure(e));
 * await reads.execute(() => pool.query('select 1'));
 * ```
 */
export function retryPolicy(options: ResolvedRetryOptions, shouldRetry: (err: Error) => boolean): RetryPolicy {
  return retry(handleWhen(shouldRetry), {
    maxAttempts: options.maxRetries,
    backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs }),
  });
}
