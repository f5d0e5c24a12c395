import { ConfigError, type ValidationIssue } from '@chatcore/core';
import { SecretValue } from '@chatcore/core/config';
import { checkOptionKeys, optionKeys, collectOption, durationOption, integerOption, resolveBreakerOptions, resolveRetryOptions, type BreakerOptions, type ResolvedBreakerOptions, type ResolvedRetryOptions, type RetryOptions } from '@chatcore/core/driver';
import { MAX_REQUEST_BYTES } from './document-rules.js';
import { requestLimit } from './request-size.js';

/** Default bound of one request to Firestore, retries included. */
const DEFAULT_CALL_TIMEOUT_MS = 20_000;
/**
 * Default attempts of a transaction under contention. Firestore usually
 * lets the oldest of the transactions contending for a document commit,
 * and the SDK keeps a retried transaction's age; 25 concurrent writers on
 * one document needed up to 7 attempts on a loaded machine, and the SDK's
 * 5 failed 20 concurrent increments of one counter about one time in four.
 */
const DEFAULT_TRANSACTION_ATTEMPTS = 25;
/** Default life of the migration lease document without renewal. */
const DEFAULT_MIGRATION_LEASE_MS = 30_000;

/**
 * Options of the Firestore driver.
 *
 * @example
 * ```ts
 * const driver = firestore({ projectId: 'my-project', keyFilename: '/secrets/sa.json' });
 * ```
 */
export interface FirestoreOptions {
  /** The Google Cloud project. */
  readonly projectId: string;
  /** The database of the project; default `(default)`. */
  readonly databaseId?: string | undefined;
  /**
   * Inline service-account credentials (client_email, private_key). The
   * key may be a SecretValue; either way the driver's options print it as
   * `[redacted]`.
   */
  readonly credentials?: { readonly client_email: string; readonly private_key: string | SecretValue } | undefined;
  /** Path of a service-account key file. */
  readonly keyFilename?: string | undefined;
  /** `host:port` of the Firestore emulator; FIRESTORE_EMULATOR_HOST is used when unset. */
  readonly emulatorHost?: string | undefined;
  /** Writes per batched commit when bulk writes are split; default 500. */
  readonly maxBatchOps?: number | undefined;
  /**
   * Request bytes per batched commit; default 9.5 MiB (Firestore's limit is
   * 10 MiB), or 3.5 MiB when the driver targets the emulator (`emulatorHost`
   * or FIRESTORE_EMULATOR_HOST set), whose gRPC server refuses messages over
   * 4 MiB.
   */
  readonly maxBatchBytes?: number | undefined;
  /**
   * Firestore orders the results of a range or inequality filter by the
   * filtered field; when the query orders by something else, the driver
   * fetches the matches and orders them itself, up to this many (more
   * raise UnsupportedQueryError). 0 refuses such queries before sending.
   * Default 1000.
   */
  readonly maxSortInMemory?: number | undefined;
  /**
   * Attempts of a transaction under contention (ABORTED), including the
   * first; default 25 (at most 50). A retried transaction keeps its place
   * in Firestore's queue for the documents it reads, so older writers
   * usually commit first (not always: a turn can end with none committed).
   * Between attempts the SDK waits
   * 1 s, growing by 1.5x with jitter: a call's `timeout` bounds the wait.
   */
  readonly maxTransactionAttempts?: number | undefined;
  /**
   * How long `migrate`'s lease document lasts without renewal (ms or a
   * duration like '30s'; default 30 s). The runner renews it every third
   * of that; a runner that dies leaves it to expire, then another takes over.
   */
  readonly migrationLease?: number | string | undefined;
  /**
   * The longest one request to Firestore may take, its retries included:
   * milliseconds or a duration like '20s'; default 20 s. An unreachable
   * backend then fails with ConnectionError (TimeoutError when it is
   * reachable but does not answer) instead of the SDK retrying for
   * minutes. A call's own `timeout`/`signal` cut it shorter.
   */
  readonly callTimeout?: number | string | undefined;
  /**
   * Retries of idempotent reads (document reads, queries, counts) on
   * UNAVAILABLE, DEADLINE_EXCEEDED and INTERNAL, and of commits that were
   * never sent, within `callTimeout`; `false` turns them off. Default
   * `{ maxRetries: 3, initialDelay: 50, maxDelay: 1000 }` (durations: ms or '50ms', '1s').
   */
  readonly retry?: RetryOptions | false | undefined;
  /**
   * Circuit breaker over failures to reach Firestore; `false` turns it off.
   * Default `{ failures: 5, halfOpenAfter: 2000 }` (halfOpenAfter: ms or '2s').
   */
  readonly breaker?: BreakerOptions | false | undefined;
}

/**
 * Options with defaults applied.
 *
 * @example
 * ```ts
 * const resolved: ResolvedFirestoreOptions = new FirestoreDriver({ projectId: 'p' }).options;
 * resolved.maxBatchOps; // 500
 * resolved.callTimeoutMs; // 20000
 * ```
 */
export interface ResolvedFirestoreOptions extends FirestoreOptions {
  /** The credentials as the SDK takes them; printing them shows the key as `[redacted]`. */
  readonly credentials?: { readonly client_email: string; readonly private_key: string } | undefined;
  readonly maxBatchOps: number;
  readonly maxBatchBytes: number;
  /** The largest request the backend accepts: 10 MiB, or 4 MiB on the emulator. A transaction's writes must fit in it. */
  readonly maxRequestBytes: number;
  readonly maxTransactionAttempts: number;
  readonly maxSortInMemory: number;
  /** `callTimeout` in milliseconds. */
  readonly callTimeoutMs: number;
  /** `migrationLease` in milliseconds. */
  readonly migrationLeaseMs: number;
  readonly retry: ResolvedRetryOptions | false;
  readonly breaker: ResolvedBreakerOptions | false;
}

const FIRESTORE_OPTION_KEYS = optionKeys<FirestoreOptions>({
  projectId: true, databaseId: true, credentials: true, keyFilename: true, emulatorHost: true, maxBatchOps: true, maxBatchBytes: true,
  maxSortInMemory: true, maxTransactionAttempts: true, migrationLease: true, callTimeout: true, retry: true, breaker: true,
});

/**
 * Check the options and apply defaults; ConfigError lists every problem.
 *
 * @example
 * ```ts
 * const resolved = resolveOptions({ projectId: 'demo' }); // maxBatchOps: 500
 * ```
 */
export function resolveOptions(options: FirestoreOptions): ResolvedFirestoreOptions {
  const problems: ValidationIssue[] = [];
  if (!options || typeof options !== 'object') throw new ConfigError('firestore() needs options: firestore({ projectId: "my-project" }).');
  collectOption(problems, () => checkOptionKeys(options, 'firestore', FIRESTORE_OPTION_KEYS), undefined);
  if (typeof options.projectId !== 'string' || options.projectId.length === 0) problems.push({ path: 'projectId', message: 'required: the Google Cloud project id' });
  if (options.databaseId !== undefined && (typeof options.databaseId !== 'string' || !options.databaseId)) problems.push({ path: 'databaseId', message: 'expected a non-empty string' });
  if (options.emulatorHost !== undefined && !/^[^\s/:]+:\d+$/.test(String(options.emulatorHost))) problems.push({ path: 'emulatorHost', message: 'expected host:port, e.g. 127.0.0.1:8080' });
  // Every problem is collected, so one ConfigError lists them all.
  const check = <T>(fallback: T, fn: () => T | undefined): T => collectOption(problems, () => fn() ?? fallback, fallback);
  const int = (name: 'maxBatchOps' | 'maxBatchBytes' | 'maxTransactionAttempts' | 'maxSortInMemory', min: number, max: number, def: number): number =>
    check(def, () => integerOption(options[name], name, { min, max }));
  const maxBatchOps = int('maxBatchOps', 1, 10_000, 500);
  const maxRequestBytes = requestLimit(options);
  const maxBatchBytes = int('maxBatchBytes', 64 * 1024, MAX_REQUEST_BYTES, maxRequestBytes - Math.floor(0.5 * 1_048_576));
  const maxTransactionAttempts = int('maxTransactionAttempts', 1, 50, DEFAULT_TRANSACTION_ATTEMPTS);
  const maxSortInMemory = int('maxSortInMemory', 0, 100_000, 1000);
  const migrationLeaseMs = check(DEFAULT_MIGRATION_LEASE_MS, () => durationOption(options.migrationLease, 'migrationLease', { min: 1000, max: 3_600_000 }));
  const callTimeoutMs = check(DEFAULT_CALL_TIMEOUT_MS, () => durationOption(options.callTimeout, 'callTimeout', { min: 1, max: 86_400_000 }));
  const retry = options.retry === false ? false : check<ResolvedRetryOptions | false>(false, () => resolveRetryOptions(options.retry || undefined, 'retry'));
  const breaker = options.breaker === false ? false : check<ResolvedBreakerOptions | false>(false, () => resolveBreakerOptions(options.breaker || undefined, 'breaker'));
  if (problems.length) throw new ConfigError(`Invalid Firestore options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}.`, { problems });
  const { credentials: given, ...rest } = options;
  // The caller's own credentials object prints its key as [redacted] too (reading it is unchanged).
  if (given && typeof given === 'object' && Object.isExtensible(given) && !Object.hasOwn(given, 'toJSON')) SecretValue.conceal(given, ['private_key']);
  // Plain for the SDK, which reads private_key as a string; concealed so that printing the options does not show it.
  const credentials = given && SecretValue.conceal({ client_email: given.client_email, private_key: SecretValue.reveal(given.private_key) }, ['private_key']);
  return { ...rest, ...(credentials ? { credentials } : {}), maxBatchOps, maxBatchBytes, maxRequestBytes, maxTransactionAttempts, maxSortInMemory, callTimeoutMs, migrationLeaseMs, retry, breaker };
}
