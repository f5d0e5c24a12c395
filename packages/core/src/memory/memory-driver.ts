import { MemoryMigrationBackend } from './memory-migrations.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { AbortedError, ConnectionError, UniqueViolationError } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { Condition, NormalizedPatch, NormalizedQuery, WriteTarget } from '../query/condition.js';
import type {
  Driver, DriverCallOptions, DriverSession, HealthReport, SchemaReport, StoredRow, TransactionOptions, UpsertSpec,
} from '../driver/driver.js';
import { FULL_CAPABILITIES, type DriverCapabilities } from '../driver/capabilities.js';
import { MemoryState } from './memory-state.js';
import { checkOptionKeys, optionKeys } from '../config/option-keys.js';
import type { Mutex } from './mutex.js';
import { evaluateCondition } from './evaluate-condition.js';
import { valueKey } from './compare-values.js';
import { aggregateRows } from './aggregate-rows.js';
import type { AggregateRow, NormalizedAggregate } from '../query/aggregate.js';
import { isAfterCursor, sortRows } from './order-rows.js';
import { applyPatch } from './apply-patch.js';
import { copyRow } from './copy-value.js';
import { constraintKey, findUniqueViolation } from './unique-check.js';
import { throughRows } from './through-rows.js';

/**
 * Options of the memory driver.
 *
 * @example
 * ```ts
 * memoryDriver({ name: 'fixture', capabilities: { offset: false } });
 * ```
 */
export interface MemoryDriverOptions {
  /** Driver name in errors and health reports (default `'memory'`). */
  readonly name?: string;
  /**
   * Capabilities to declare instead of FULL_CAPABILITIES, to try how core
   * treats a more limited backend (the driver itself still can do everything).
   */
  readonly capabilities?: Partial<DriverCapabilities>;
}

/** The first row of each combination of `fields` values, in the rows' order (nulls equal each other). */
function firstOfEach(rows: StoredRow[], fields: readonly string[]): StoredRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = fields.map((f) => (r[f] === null || r[f] === undefined ? 'null' : valueKey(r[f]))).join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The first `limit` rows (in their order) of each value of `field`. */
function firstPerGroup(rows: StoredRow[], field: string, limit: number): StoredRow[] {
  const taken = new Map<string, number>();
  return rows.filter((r) => {
    const key = r[field] === null || r[field] === undefined ? 'null' : valueKey(r[field]);
    const n = taken.get(key) ?? 0;
    taken.set(key, n + 1);
    return n < limit;
  });
}

/** The transaction locks the current async flow holds, to tell re-entry from contention. */
const heldLocks = new AsyncLocalStorage<ReadonlySet<Mutex>>();

/**
 * The operations of the memory driver on one state: the root (autocommit)
 * or a transaction. Every method runs synchronously once called, so each
 * operation is atomic.
 */
class MemorySession implements DriverSession {
  constructor(
    protected readonly state: MemoryState,
    private readonly isOpen: () => void,
  ) {}

  async insert(schema: RepositorySchema, rows: readonly StoredRow[], options: DriverCallOptions): Promise<void> {
    this.enter(options);
    const copies = rows.map((r) => copyRow(r));
    const fields = findUniqueViolation(schema, this.state.table(schema), copies, new Set());
    if (fields) throw new UniqueViolationError(schema.name, fields);
    for (const row of copies) this.state.put(schema, row);
  }

  async getByIds(schema: RepositorySchema, ids: readonly string[], options: DriverCallOptions): Promise<StoredRow[]> {
    this.enter(options);
    const table = this.state.table(schema);
    const out: StoredRow[] = [];
    for (const id of new Set(ids)) {
      const row = table.get(id);
      if (row) out.push(copyRow(row, options.select));
    }
    return out;
  }

  async query(schema: RepositorySchema, query: NormalizedQuery, options: DriverCallOptions): Promise<StoredRow[]> {
    this.enter(options);
    let rows = [...this.state.table(schema).values()].filter((r) => evaluateCondition(query.where, r));
    if (query.after) {
      const after = query.after;
      rows = rows.filter((r) => isAfterCursor(r, query.orderBy, after));
    }
    rows = sortRows(rows, query.orderBy);
    if (query.distinct) rows = firstOfEach(rows, query.distinct);
    if (query.through) return throughRows(rows, this.state.table(query.through.schema).values(), query.through, query.select);
    if (query.limitPerGroup) rows = firstPerGroup(rows, query.limitPerGroup.field, query.limitPerGroup.limit);
    const start = query.offset ?? 0;
    const end = query.limit === undefined ? undefined : start + query.limit;
    return rows.slice(start, end).map((r) => copyRow(r, query.select));
  }

  async count(schema: RepositorySchema, where: Condition | undefined, options: DriverCallOptions): Promise<number> {
    this.enter(options);
    let n = 0;
    for (const row of this.state.table(schema).values()) if (evaluateCondition(where, row)) n++;
    return n;
  }

  async aggregate(schema: RepositorySchema, agg: NormalizedAggregate, options: DriverCallOptions): Promise<AggregateRow[]> {
    this.enter(options);
    return aggregateRows([...this.state.table(schema).values()].filter((r) => evaluateCondition(agg.where, r)), agg);
  }

  async update(schema: RepositorySchema, target: WriteTarget, patch: NormalizedPatch, options: DriverCallOptions): Promise<StoredRow[]> {
    this.enter(options);
    const table = this.state.table(schema);
    const updated = this.targets(schema, target).map((row) => applyPatch(schema, row, patch));
    const fields = findUniqueViolation(schema, table, updated, new Set(updated.map((r) => r.id as string)));
    if (fields) throw new UniqueViolationError(schema.name, fields);
    for (const row of updated) this.state.put(schema, row);
    return updated.map((r) => copyRow(r));
  }

  async delete(schema: RepositorySchema, target: WriteTarget, options: DriverCallOptions): Promise<string[]> {
    this.enter(options);
    const ids = this.targets(schema, target).map((r) => r.id as string);
    for (const id of ids) this.state.remove(schema, id);
    return ids;
  }

  async upsert(schema: RepositorySchema, row: StoredRow, spec: UpsertSpec, options: DriverCallOptions): Promise<{ row: StoredRow; created: boolean }> {
    this.enter(options);
    const table = this.state.table(schema);
    const key = constraintKey(row, spec.conflictFields);
    let existing: StoredRow | undefined;
    if (key !== undefined) {
      if (spec.conflictFields.length === 1 && spec.conflictFields[0] === 'id') existing = table.get(row.id as string);
      else {
        for (const id of table.idsWithKey(spec.conflictFields, key)) {
          existing = table.get(id);
          break;
        }
      }
    }
    const next = existing ? applyPatch(schema, existing, spec.patch) : copyRow(row);
    const fields = findUniqueViolation(schema, table, [next], new Set(existing ? [existing.id as string] : []));
    if (fields) throw new UniqueViolationError(schema.name, fields);
    this.state.put(schema, next);
    return { row: copyRow(next), created: !existing };
  }

  async transaction<T>(fn: (tx: DriverSession) => Promise<T>, options: TransactionOptions): Promise<T> {
    this.enter(options);
    const held = heldLocks.getStore();
    const lock = this.state.lock;
    const body = async () => {
      this.enter(options);
      const child = this.state.child();
      try {
        const result = await heldLocks.run(new Set([...(held ?? []), lock]), () => fn(new MemorySession(child, this.isOpen)));
        // The caller gave up (abort or deadline) while fn ran: it was told the
        // transaction failed, so it must not commit behind its back.
        if (options.signal?.aborted) throw new AbortedError({ cause: options.signal.reason });
        child.commit();
        return result;
      } catch (error) {
        child.rollback();
        throw error;
      }
    };
    // A transaction started on the driver from inside one this flow already
    // holds would wait for itself forever; run it beside the holder, as a
    // second connection would. (Through createDatabase this never happens:
    // core refuses db calls inside a transaction callback.)
    if (held?.has(lock)) return body();
    return lock.run(body);
  }

  /** Rows targeted by an update or delete: `ids` (when given) intersected with `where`. */
  private targets(schema: RepositorySchema, target: WriteTarget): StoredRow[] {
    const table = this.state.table(schema);
    const candidates = target.ids
      ? [...new Set(target.ids)].map((id) => table.get(id)).filter((r): r is StoredRow => r !== undefined)
      : [...table.values()];
    return candidates.filter((r) => evaluateCondition(target.where, r));
  }

  private enter(options: { readonly signal?: AbortSignal | undefined }): void {
    this.isOpen();
    if (options.signal?.aborted) throw new AbortedError({ cause: options.signal.reason });
    this.state.assertOpen();
  }
}

/**
 * The in-memory reference driver: the exact semantics of DESIGN 7a (SQL
 * three-valued logic, nulls first ascending, keyset cursors tie-broken by
 * id, unique constraints, transactions with savepoints) with no server.
 * Rows are deep-copied in and out. Transactions are serialized by a lock
 * and see a snapshot of each table from their first touch; they keep an
 * overlay of their writes instead of copying tables, and unique checks use
 * hash indexes, so a write costs what it touches, not the table's size.
 *
 * @example
 * ```ts
 * import { createDatabase } from '@chatcore/core';
 * import { MemoryDriver } from '@chatcore/core/driver';
 * const db = createDatabase({ driver: new MemoryDriver({ name: 'fixture' }), repositories: { users } });
 * ```
 */
export class MemoryDriver extends MemorySession implements Driver {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  /** Versioned migrations on the in-memory tables (see `@chatcore/migrate`). */
  readonly migrations: MemoryMigrationBackend;
  private closed = false;

  constructor(options: MemoryDriverOptions = {}) {
    let driver: MemoryDriver | undefined;
    super(new MemoryState(), () => {
      if (driver?.closed) throw new ConnectionError(`The ${driver.name} driver was closed; create a new one (data is lost on close).`);
    });
    driver = this;
    this.name = options.name ?? 'memory';
    this.capabilities = Object.freeze({ ...FULL_CAPABILITIES, limitThrough: true, ...options.capabilities });
    this.migrations = new MemoryMigrationBackend(this.state);
  }

  async connect(): Promise<void> {
    if (this.closed) throw new ConnectionError(`The ${this.name} driver was closed; create a new one.`);
  }

  async ensureSchema(schemas: readonly RepositorySchema[], _options: { readonly mode: 'apply' | 'verify' }): Promise<SchemaReport> {
    // Tables are Maps made on first use: there is never anything to create.
    for (const schema of schemas) this.state.table(schema);
    return { applied: [] };
  }

  async health(): Promise<HealthReport> {
    return { status: this.closed ? 'down' : 'up', components: [{ name: this.name, status: this.closed ? 'down' : 'up', latencyMs: 0 }] };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state.clear();
  }
}

/**
 * Create an in-memory driver (see MemoryDriver).
 *
 * @example
 * ```ts
 * const db = createDatabase({ driver: memoryDriver(), repositories: { users, messages } });
 * const limited = memoryDriver({ capabilities: { offset: false } });
 * ```
 */
export function memoryDriver(options: MemoryDriverOptions = {}): MemoryDriver {
  checkOptionKeys(options, 'memoryDriver', optionKeys<MemoryDriverOptions>({ name: true, capabilities: true }));
  return new MemoryDriver(options);
}
