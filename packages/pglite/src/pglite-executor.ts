import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite, types, type QueryOptions } from '@electric-sql/pglite';
import { TransactionError, UnsupportedQueryError } from '@chatcore/core';
import type { SqlConnection, SqlExecutor, SqlResult, SqlStatement, StatementLimits } from '@chatcore/sql';
import { abortReason, ConnectionLock } from './connection-lock.js';
import { EventLoopTurns } from './event-loop-turns.js';
import { DataDirLock } from './data-dir-lock.js';
import { unusableDataDir } from './data-dir-error.js';
import { localPath } from './data-dir-state.js';
import { defaultTemplateCache, startInMemory } from './cluster-template.js';
import { parseTimestamptz } from './timestamp-parser.js';

const INT8 = 20;
const INT8_ARRAY = 1016;
const TIMESTAMPTZ = 1184;
const TIMESTAMPTZ_ARRAY = 1185;
/** int8 as bigint (PGlite's default, a JS number, loses precision past 2^53); timestamptz with years below 100 kept. */
const QUERY_OPTIONS: QueryOptions = {
  parsers: {
    [INT8]: (x: string) => BigInt(x),
    [INT8_ARRAY]: (x: string, typeId?: number) => types.arrayParser(x, (v: string) => BigInt(v), typeId ?? INT8_ARRAY),
    [TIMESTAMPTZ]: parseTimestamptz,
    [TIMESTAMPTZ_ARRAY]: (x: string, typeId?: number) => types.arrayParser(x, parseTimestamptz, typeId ?? TIMESTAMPTZ_ARRAY),
  },
};

/**
 * Options of the PGlite executor.
 *
 * @example
 * ```ts
 * new PgliteExecutor({ dataDir: './data/pg' });
 * ```
 */
export interface PgliteExecutorOptions {
  /**
   * Directory for a persistent database; in memory when absent. PGlite is
   * single-process: opening takes an exclusive lock (`.chatcore.lock` in the
   * directory, released by close() or at exit), and a second opener, in
   * this process or another one on the same host, gets a DriverError
   * naming the holder. A lock left by a process that no longer runs is
   * taken over.
   */
  readonly dataDir?: string | undefined;
  /** Use this PGlite instance (it is not closed by close()); e.g. one shared by a test file. */
  readonly client?: PGlite | undefined;
  /**
   * Where an in-memory database keeps the template of a freshly initialized
   * cluster, so that starts after the first skip initdb (see
   * `startInMemory`); `false` runs initdb every time. Default:
   * `$XDG_CACHE_HOME/chatcore` or `~/.cache/chatcore`.
   */
  readonly templateCache?: string | false | undefined;
}

/**
 * PGlite's protocol parser reads a statement's parameter count as a signed
 * 16-bit integer: past 32767 parameters it fails mid-message ("Invalid array
 * length") and leaves the instance answering every later query wrongly
 * (empty results, lost rows). So a statement never carries more, and bulk
 * writes stay at a size the in-memory server builds comfortably.
 */
const PGLITE_LIMITS: StatementLimits = Object.freeze({ maxParameters: 32_767, maxBytes: 4 * 1024 * 1024 });

function misuse(): TransactionError {
  return new TransactionError(
    "A statement was sent to PGlite outside an open transaction from its callback's async context (e.g. through the " +
      'Kysely escape hatch, or on another database over the same PGlite instance). PGlite has a single connection, so it would wait ' +
      'for the transaction forever. Inside db.transaction(async (tx) => ...), use the tx handle (tx.users.get(...), tx.transaction(...)).',
  );
}

/**
 * The `SqlExecutor` over one PGlite instance. PGlite has one connection: a
 * transaction holds it, and statements from other async contexts wait their
 * turn. A statement (or a new root transaction) issued from inside the open
 * transaction's own async context can never get it, so it fails at once with
 * a TransactionError instead of hanging; AsyncLocalStorage marks the context
 * the transaction function runs in.
 *
 * @example
 * ```ts
 * const driver = sqlDriver({ name: 'pglite', executor: new PgliteExecutor({}) });
 * ```
 */
export class PgliteExecutor implements SqlExecutor {
  private client: PGlite | undefined;
  private starting: Promise<PGlite> | undefined;
  private readonly owned: boolean;
  private closed = false;
  private dirLock: DataDirLock | undefined;
  readonly limits: StatementLimits = PGLITE_LIMITS;
  readonly singleConnection = true;

  constructor(private readonly options: PgliteExecutorOptions = {}) {
    this.client = options.client;
    this.owned = !options.client;
  }

  async connect(): Promise<void> {
    await this.pg();
  }

  private pg(): Promise<PGlite> | PGlite {
    if (this.closed) throw new Error('PGlite is closed: this driver was closed.');
    if (this.client) return this.client;
    const { dataDir, templateCache } = this.options;
    this.starting ??= (dataDir ? this.openDataDir(dataDir) : startInMemory(templateCache ?? defaultTemplateCache())).then(
      (pg) => (this.client = pg),
      (err: unknown) => {
        this.starting = undefined; // a later connect() tries again (e.g. once the process holding the data directory is gone)
        throw err;
      },
    );
    return this.starting;
  }

  /** PGlite is single-process: the directory is locked before PGlite reads a file of it (see DataDirLock). */
  private async openDataDir(dataDir: string): Promise<PGlite> {
    const path = localPath(dataDir);
    if (path === undefined) return PGlite.create({ dataDir });
    let lock: DataDirLock | undefined;
    try {
      lock = DataDirLock.acquire(path);
      const pg = await PGlite.create({ dataDir });
      this.dirLock = lock;
      return pg;
    } catch (err) {
      lock?.release();
      throw unusableDataDir(path, err);
    }
  }

  /**
   * Run one statement once the connection is free. A statement whose
   * caller's `signal` fires while it waits leaves the queue and is never
   * run: a write run then would be applied after its caller was told it
   * timed out or was aborted.
   */
  async execute(statement: SqlStatement, signal?: AbortSignal): Promise<SqlResult> {
    const pg = await this.pg();
    const state = stateOf(pg);
    state.checkContext();
    const wait = state.lock.acquire(signal);
    if (wait) await wait;
    try {
      // The signal may have fired in the tick between the hand-over and now.
      if (signal?.aborted) throw abortReason(signal);
      return await run(pg, statement);
    } finally {
      state.lock.release();
    }
  }

  /**
   * Run `fn` (a transaction) holding the connection. A transaction whose
   * caller's `signal` fires while it waits leaves the queue and never starts:
   * it would otherwise take the connection in its turn after its caller was
   * told it timed out or was aborted, delaying everyone behind it. Once
   * started, its statements let the event loop turn every few milliseconds
   * (EventLoopTurns), so that its caller's timeout fires on time.
   */
  async withConnection<T>(fn: (connection: SqlConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const pg = await this.pg();
    const state = stateOf(pg);
    state.checkContext();
    const wait = state.lock.acquire(signal);
    if (wait) await wait;
    if (signal?.aborted) {
      // Fired in the tick between the hand-over and now.
      state.lock.release();
      throw abortReason(signal);
    }
    const token = Symbol('pglite-transaction');
    state.holder = token;
    // The event loop turns between the transaction's statements too: its caller's deadline must be able to fire.
    const turns = new EventLoopTurns();
    const connection: SqlConnection = {
      execute: (st) => {
        const turn = turns.pace();
        return turn ? turn.then(() => run(pg, st)) : run(pg, st);
      },
    };
    try {
      return await state.context.run(token, () => fn(connection));
    } finally {
      state.holder = undefined;
      state.lock.release();
    }
  }

  stats(): Readonly<Record<string, unknown>> {
    const state = this.client ? stateOf(this.client) : undefined;
    return { waiting: state?.lock.waiting ?? 0, inTransaction: state?.holder !== undefined };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pg = this.client ?? (await this.starting?.catch(() => undefined));
    try {
      if (pg && this.owned) await pg.close();
    } finally {
      this.dirLock?.release();
    }
  }
}

/**
 * The queue of one PGlite instance, shared by every executor over it (two
 * drivers on one instance must not interleave inside each other's
 * transactions).
 */
class ClientState {
  readonly lock = new ConnectionLock();
  readonly context = new AsyncLocalStorage<symbol>();
  /** The token of the transaction holding the connection, if any. */
  holder: symbol | undefined;

  checkContext(): void {
    const token = this.context.getStore();
    if (token !== undefined && token === this.holder) throw misuse();
  }
}

const states = new WeakMap<PGlite, ClientState>();

function stateOf(pg: PGlite): ClientState {
  let state = states.get(pg);
  if (!state) {
    state = new ClientState();
    states.set(pg, state);
  }
  return state;
}

async function run(pg: PGlite, statement: SqlStatement): Promise<SqlResult> {
  // Refused before a byte is sent: past the limit the instance would stay broken (see PGLITE_LIMITS).
  if (statement.parameters.length > PGLITE_LIMITS.maxParameters) {
    throw new UnsupportedQueryError(`This statement has ${statement.parameters.length} bind parameters; PGlite takes at most ${PGLITE_LIMITS.maxParameters}. ` +
        'Nothing was sent. Split it into smaller statements, or pass a list as one array parameter (= any($1)).', { info: { parameters: statement.parameters.length, maxParameters: PGLITE_LIMITS.maxParameters } });
  }
  const result = await pg.query<Record<string, unknown>>(statement.sql, statement.parameters as unknown[], QUERY_OPTIONS);
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}
