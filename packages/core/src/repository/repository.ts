import { ConflictError, NotFoundError, UnsupportedQueryError, ValidationError, type ValidationIssue } from '../errors.js';
import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { StoredRow } from '../driver/driver.js';
import type { Condition, NormalizedQuery, OrderTerm } from '../query/condition.js';
import { normalizeFilter } from '../query/normalize-filter.js';
import { collectQuery, normalizeQuery, type NormalizedFind } from '../query/normalize-query.js';
import { normalizeAggregate } from '../query/aggregate.js';
import { encodeCursor } from '../query/cursor.js';
import { familyOf, type MethodName, type Operation } from '../plugin/operation.js';
import type { DatabaseRuntime } from '../database/runtime.js';
import type { TransactionScopeState } from '../database/transaction-scope.js';
import { verifyNothing, verifySecretHash } from '../secret/secret-hash.js';
import { SecretFields } from './secret-fields.js';
import { WriteInput } from './write-input.js';
import { isPlainObject } from './validate-value.js';
import type { CallOptions, IterateOptions, VersionedOptions } from './repository-api.js';
import type { UpsertOptions } from './keyed-writes.js';
import { OPTIONS_ARGUMENT, type RepositoryMethod } from './options-position.js';
import { compileRowQuery } from './row-query.js';
import { checkConflictFields, expectedVersion, requiredFilter, versionCondition } from './write-target.js';
import { attachTaken, takeInclude, type TakenInclude } from '../relations/take-include.js';
import { READ_RELATED, STORAGE_SCHEMA, type ReadRelatedGroup } from '../relations/load-includes.js';

const DEFAULT_PAGE = 50;
const MAX_BATCH = 100_000;
type Row = Record<string, unknown>;

/** findPage and iterate page with cursors, which a distinct query cannot carry. */
function noDistinct(q: NormalizedQuery): void {
  if (q.distinct) throw new ValidationError([{ path: 'distinct', message: 'distinct works with find and findOne (page with limit and offset); findPage and iterate page with cursors' }], { context: 'query' });
}

/**
 * The repository implementation behind `db.<name>` and `tx.<name>`: it
 * validates input against the declared schema, builds the operation, sends
 * it through the plugin onion and shapes the result. Every public method
 * goes through `runtime.execute`, so no path skips the hooks.
 *
 * @example
 * ```ts
 * const user = await db.users.create({ name: 'Ada' });
 * ```
 */
export class RepositoryImpl {
  readonly name: string;
  private readonly writer: WriteInput;
  private readonly secrets: SecretFields;

  constructor(
    readonly schema: RepositorySchema,
    private readonly storage: RepositorySchema,
    private readonly runtime: DatabaseRuntime,
    private readonly scope: TransactionScopeState | undefined,
  ) {
    this.name = schema.name;
    this.writer = new WriteInput(schema);
    this.secrets = new SecretFields(schema);
  }

  /** The subclass `create` uses when a plugin has onInvalidInput (built once, in the static block at the end). */
  static #Reporting: typeof RepositoryImpl;

  /**
   * A repository of `runtime`, reporting rejected input to the plugins'
   * onInvalidInput when any plugin has that hook (other stacks pay nothing).
   */
  static create(schema: RepositorySchema, storage: RepositorySchema, runtime: DatabaseRuntime, scope: TransactionScopeState | undefined): RepositoryImpl {
    return runtime.invalidInputHooks.length ? new RepositoryImpl.#Reporting(schema, storage, runtime, scope) : new RepositoryImpl(schema, storage, runtime, scope);
  }

  /** The same repository bound to another transaction scope. */
  static bound(repo: RepositoryImpl, scope: TransactionScopeState | undefined): RepositoryImpl {
    return RepositoryImpl.create(repo.schema, repo.storage, repo.runtime, scope);
  }

  /** Tell the plugins that `error` rejected this call's input, unless it came out of the onion (plugins saw that call). */
  #reportRejected(method: MethodName, error: unknown, options: CallOptions | undefined): Promise<void> | undefined {
    if (!(error instanceof ValidationError) || this.runtime.enteredOnion(error)) return undefined;
    return this.runtime.reportInvalidInput(this.name, method, error, options);
  }

  async create(input: unknown, options?: CallOptions): Promise<Row> {
    const issues: ValidationIssue[] = [];
    const row = this.writer.insertRow(input, new Date(), issues);
    if (issues.length) throw new ValidationError(issues);
    await this.secrets.hashRow(row);
    const result = await this.#run('create', { kind: 'insert', schema: this.storage, rows: [row] }, options);
    return this.#shape(result.rows[0]!);
  }

  async createMany(inputs: readonly unknown[], options?: CallOptions): Promise<Row[]> {
    if (Array.isArray(inputs) && inputs.length > MAX_BATCH) throw new ValidationError([{ path: '(input)', message: `more than ${MAX_BATCH} records in one call` }]);
    const rows = this.writer.insertRows(inputs, new Date());
    if (rows.length === 0) return [];
    const ids = new Set<string>();
    for (const [i, r] of rows.entries()) {
      if (ids.has(r.id as string)) throw new ValidationError([{ path: `[${i}].id`, message: 'duplicate id in the batch' }]);
      ids.add(r.id as string);
    }
    for (const r of rows) await this.secrets.hashRow(r);
    const result = await this.#run('createMany', { kind: 'insert', schema: this.storage, rows }, options);
    return result.rows.map((r) => this.#shape(r));
  }

  async get(id: string, callOptions?: CallOptions): Promise<Row | null> {
    const checked = this.writer.id(id, 'id', true);
    const taken = this.#take(callOptions);
    const options = taken.rest as CallOptions | undefined;
    const result = await this.#run('get', { kind: 'get', schema: this.storage, ids: [checked] }, options);
    const row = result.rows[0];
    return row ? (await this.#attach([this.#shape(row)], taken, options))[0]! : null;
  }

  async getMany(ids: readonly string[], callOptions?: CallOptions): Promise<Row[]> {
    const taken = this.#take(callOptions);
    const options = taken.rest as CallOptions | undefined;
    if (!Array.isArray(ids)) throw new ValidationError([{ path: 'ids', message: 'expected an array of ids' }]);
    if (ids.length > MAX_BATCH) throw new ValidationError([{ path: 'ids', message: `more than ${MAX_BATCH} ids` }]);
    const checked = [...new Set(ids.map((id, i) => this.writer.id(id, `ids[${i}]`, true)))];
    if (checked.length === 0) return [];
    const result = await this.#run('getMany', { kind: 'get', schema: this.storage, ids: checked }, options);
    const byId = new Map(result.rows.map((r) => [r.id as string, r]));
    const out: Row[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row) out.push(this.#shape(row));
    }
    return this.#attach(out, taken, options);
  }

  async find(query?: unknown, options?: CallOptions): Promise<Row[]> {
    const { taken, query: q, requested } = this.#findQuery(query);
    const result = await this.#run('find', { kind: 'query', schema: this.storage, query: q }, options);
    return this.#attach(result.rows.map((r) => this.#shape(r, requested)), taken, options);
  }

  /**
   * A find for `include`: `perGroup` becomes the query's limitPerGroup (or
   * its `through`), so plugins see a find of this repository.
   */
  async [READ_RELATED](query: unknown, perGroup: ReadRelatedGroup | undefined, options?: CallOptions): Promise<{ rows: Row[]; orderBy: readonly OrderTerm[] }> {
    const { query: q, requested } = normalizeQuery(this.schema, query);
    const grouped = perGroup === undefined ? q : 'through' in perGroup ? { ...q, through: perGroup.through } : { ...q, limitPerGroup: perGroup };
    // The options are the parent call's, checked against its method (iterate's pageSize comes along).
    const result = await this.runtime.execute('find', { kind: 'query', schema: this.storage, query: grouped }, options, this.scope);
    return { rows: result.rows.map((r) => this.#shape(r, requested)), orderBy: q.orderBy };
  }

  /** The storage schema (after the plugins' extendSchema), for a `through` query naming this repository as the join. */
  get [STORAGE_SCHEMA](): RepositorySchema {
    return this.storage;
  }

  async findPage(query?: unknown, options?: CallOptions): Promise<{ items: Row[]; nextCursor: string | null }> {
    return this.#page('findPage', query, options);
  }

  async findOne(query?: unknown, options?: CallOptions): Promise<Row | null> {
    if (isPlainObject(query) && 'limit' in query) throw new ValidationError([{ path: 'limit', message: 'findOne takes no limit' }], { context: 'query' });
    const { taken, query: q, requested } = this.#findQuery(query, 1);
    const result = await this.#run('findOne', { kind: 'query', schema: this.storage, query: q }, options);
    const row = result.rows[0];
    return row ? (await this.#attach([this.#shape(row, requested)], taken, options))[0]! : null;
  }

  async count(where?: unknown, options?: CallOptions): Promise<number> {
    const result = await this.#run('count', { kind: 'count', schema: this.storage, where: normalizeFilter(this.schema, where) }, options);
    return result.count ?? 0;
  }

  async aggregate(query: unknown, options?: CallOptions): Promise<Row[]> {
    const agg = normalizeAggregate(this.schema, query);
    const result = await this.#run('aggregate', { kind: 'aggregate', schema: this.storage, aggregate: agg }, options);
    return (result.groups ?? []).map((g) => {
      const out = { group: {} as Row, count: {} as Row, sum: {} as Row, avg: {} as Row, min: {} as Row, max: {} as Row };
      agg.groupBy.forEach((f, i) => { out.group[f] = g.group[i] ?? null; });
      agg.measures.forEach((m, i) => { out[m.fn][m.field ?? '_all'] = g.values[i] ?? null; });
      return out;
    });
  }

  async query(query: unknown, options?: CallOptions): Promise<Row[]> {
    const statement = compileRowQuery(this.schema.table, query);
    if (!this.runtime.driver.selectRows) throw new UnsupportedQueryError(`The ${this.runtime.driver.name} driver cannot run a written query; use find (SQL drivers have query).`, { info: { capability: 'selectRows' } });
    const result = await this.#run('query', { kind: 'rows', schema: this.storage, statement }, options);
    return result.rows.map((r) => this.#shape(r));
  }

  async exists(where?: unknown, options?: CallOptions): Promise<boolean> {
    const q = { where: normalizeFilter(this.schema, where), orderBy: [{ field: 'id', direction: 'asc' as const }], limit: 1, select: ['id'], anyOrder: true };
    const result = await this.#run('exists', { kind: 'query', schema: this.storage, query: q }, options);
    return result.rows.length > 0;
  }

  async update(id: string, patch: unknown, options?: VersionedOptions): Promise<Row> {
    const checked = this.writer.id(id);
    const expected = expectedVersion(this.schema, options);
    const normalized = this.writer.patch(patch, new Date());
    await this.secrets.hashPatch(normalized, checked);
    const where = versionCondition(this.schema, expected);
    const result = await this.#run('update', { kind: 'update', schema: this.storage, target: { ids: [checked], where }, patch: normalized }, options);
    const row = result.rows[0];
    if (!row) throw await this.#missOrConflict(checked, expected);
    return this.#shape(row);
  }

  async updateMany(where: unknown, patch: unknown, options?: CallOptions): Promise<number> {
    const cond = requiredFilter(this.schema, where);
    const normalized = this.writer.patch(patch, new Date());
    await this.secrets.hashPatch(normalized, undefined);
    const result = await this.#run('updateMany', { kind: 'update', schema: this.storage, target: { where: cond }, patch: normalized }, options);
    return result.rows.length;
  }

  async upsert(input: unknown, options?: UpsertOptions<AnyRepositoryDef>): Promise<Row> {
    const issues: ValidationIssue[] = [];
    const now = new Date();
    const row = this.writer.insertRow(input, now, issues);
    if (issues.length) throw new ValidationError(issues);
    const conflict = [...(options?.conflict ?? ['id'])] as string[];
    checkConflictFields(this.schema, conflict);
    let patchInput: Record<string, unknown>;
    if (options?.update !== undefined) patchInput = options.update as Record<string, unknown>;
    else {
      patchInput = {};
      for (const key of Object.keys(input as object)) if (key !== 'id' && !conflict.includes(key)) patchInput[key] = (input as Row)[key];
    }
    const patch = this.writer.patch(patchInput, now);
    // On a conflict by id the patched record is `row.id`; by another key it is unknown here.
    await this.secrets.hashPatch(patch, conflict.length === 1 && conflict[0] === 'id' ? (row.id as string) : undefined);
    await this.secrets.hashRow(row);
    const result = await this.#run('upsert', { kind: 'upsert', schema: this.storage, row, conflictFields: conflict, patch }, options);
    return this.#shape(result.rows[0]!);
  }

  async delete(id: string, options?: VersionedOptions): Promise<boolean> {
    const checked = this.writer.id(id);
    const expected = expectedVersion(this.schema, options);
    const result = await this.#run('delete', { kind: 'delete', schema: this.storage, target: { ids: [checked], where: versionCondition(this.schema, expected) } }, options);
    if ((result.ids ?? []).length > 0) return true;
    if (expected !== undefined) {
      const err = await this.#missOrConflict(checked, expected);
      if (err instanceof ConflictError) throw err;
    }
    return false;
  }

  async deleteMany(where: unknown, options?: CallOptions): Promise<number> {
    const cond = requiredFilter(this.schema, where);
    const result = await this.#run('deleteMany', { kind: 'delete', schema: this.storage, target: { where: cond } }, options);
    return (result.ids ?? []).length;
  }

  iterate(query?: unknown, options?: IterateOptions): AsyncIterable<Row> {
    if (isPlainObject(query) && ('limit' in query || 'offset' in query || 'after' in query)) {
      throw new ValidationError([{ path: '(query)', message: 'iterate pages by itself: remove limit, offset and after' }], { context: 'query' });
    }
    const pageSize = options?.pageSize ?? 500;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) throw new ValidationError([{ path: 'pageSize', message: 'expected an integer from 1 to 10000' }]);
    // Checked now, not at the first next(): bad input fails where the call is made, like every other method.
    noDistinct(this.#findQuery(query, pageSize).query);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        let after: string | null = null;
        do {
          const page: { items: Row[]; nextCursor: string | null } = await self.#page('iterate', { ...(query as object | undefined), limit: pageSize, after }, options);
          yield* page.items;
          after = page.nextCursor;
        } while (after);
      },
    };
  }

  /**
   * Check a secret field's value against a candidate; rehashes when the hash
   * is unbound or its parameters changed. A missing record or secret costs
   * the same hashing as a wrong candidate (no enumeration by timing).
   */
  async verifySecret(id: string, field: string, candidate: string, options?: CallOptions): Promise<boolean> {
    this.secrets.checkCandidate(field, candidate);
    const checked = this.writer.id(id, 'id', true);
    const result = await this.#run('get', { kind: 'get', schema: this.storage, ids: [checked], select: ['id', field] }, options);
    const stored = result.rows[0]?.[field];
    if (typeof stored !== 'string') return verifyNothing(candidate);
    const { ok, needsRehash } = await verifySecretHash(stored, candidate, { repository: this.name, field, id: checked });
    if (ok && needsRehash) await this.#rehash(checked, field, stored, candidate, options);
    return ok;
  }

  /**
   * Replace an outdated hash only while it is still the stored one: a secret
   * changed during the (slow) check must not be overwritten by the old one.
   */
  async #rehash(id: string, field: string, stored: string, candidate: string, options: CallOptions | undefined): Promise<void> {
    const patch = this.writer.patch({ [field]: candidate }, new Date());
    await this.secrets.hashPatch(patch, id);
    const unchanged: Condition = { kind: 'cmp', field, op: 'eq', value: stored };
    await this.#run('update', { kind: 'update', schema: this.storage, target: { ids: [id], where: unchanged }, patch }, options);
  }

  async #page(method: 'findPage' | 'iterate', query: unknown, options?: CallOptions): Promise<{ items: Row[]; nextCursor: string | null }> {
    const { taken, query: q, requested } = this.#findQuery(query);
    noDistinct(q);
    const limit = q.limit ?? DEFAULT_PAGE;
    const result = await this.#run(method, { kind: 'query', schema: this.storage, query: { ...q, limit: limit + 1 } }, options);
    const rows = result.rows;
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const nextCursor = more ? encodeCursor(this.schema, q.orderBy, items.at(-1)!, q.where) : null;
    return { items: await this.#attach(items.map((r) => this.#shape(r, requested)), taken, options), nextCursor };
  }

  /** Split a read's `include` off its query or options (checked against the declared relations). */
  #take(input: unknown): TakenInclude {
    return takeInclude(this.runtime.includes, this.name, input);
  }

  /** Take `include` off a find query and normalize the rest, the problems of both in one error; `limit` replaces the query's. */
  #findQuery(input: unknown, limit?: number): NormalizedFind & { taken: TakenInclude } {
    const issues: ValidationIssue[] = [];
    const taken = takeInclude(this.runtime.includes, this.name, input, issues);
    const found = collectQuery(this.schema, limit === undefined ? taken.rest : { ...(taken.rest as object | undefined), limit }, issues);
    if (!found) throw new ValidationError(issues, { context: issues.every((i) => i.path.startsWith('include')) ? 'include' : 'query' });
    return { taken, query: found.query, requested: found.requested };
  }

  #attach(rows: Row[], taken: TakenInclude, options: CallOptions | undefined): Promise<Row[]> | Row[] {
    return taken.include ? attachTaken(this.runtime.includes!, this.scope, rows, taken, options) : rows;
  }

  #run(method: MethodName, op: Operation, options: CallOptions | undefined) {
    if (options !== undefined) this.runtime.callOptionKeys.check(method, options, familyOf(op.kind) === 'read');
    return this.runtime.execute(method, op, options, this.scope);
  }

  /** Drop secret fields, and fields the caller did not select. */
  #shape(row: StoredRow, requested?: readonly string[]): Row {
    if (requested) {
      const out: Row = {};
      for (const f of requested) out[f] = row[f] ?? null;
      return out;
    }
    for (const s of this.secrets.names) delete row[s];
    return row;
  }

  /** After a targeted write matched nothing: was the record missing, or at another version? (Read below the plugins: a diagnostic, not data for the caller.) */
  async #missOrConflict(id: string, expected: number | undefined): Promise<Error> {
    if (expected === undefined) return new NotFoundError(this.name, id);
    const session = this.scope?.session ?? this.runtime.driver;
    const rows = await session.getByIds(this.storage, [id], { select: ['id', this.schema.versionField!] });
    if (!rows[0]) return new NotFoundError(this.name, id);
    return new ConflictError(this.name, id, expected, rows[0][this.schema.versionField!] as number);
  }

  /**
   * Build the reporting subclass: its public methods tell the plugins'
   * onInvalidInput about a ValidationError that rejected the call before
   * the onion. Wrapped once, on the prototype, not per instance or per
   * transaction; OPTIONS_ARGUMENT says where each method takes its options.
   */
  static {
    class Reporting extends RepositoryImpl {}
    for (const method of Object.keys(OPTIONS_ARGUMENT) as RepositoryMethod[]) {
      const original = (RepositoryImpl.prototype as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!;
      const optionsAt = OPTIONS_ARGUMENT[method];
      const wrapped = function (this: RepositoryImpl, ...args: unknown[]): unknown {
        const options = isPlainObject(args[optionsAt]) ? (args[optionsAt] as CallOptions) : undefined;
        let result: unknown;
        try {
          result = original.apply(this, args);
        } catch (error) {
          // iterate() validates synchronously: report, and still throw synchronously.
          void this.#reportRejected(method as MethodName, error, options);
          throw error;
        }
        if (!(result instanceof Promise)) return result;
        return result.catch(async (error: unknown) => {
          await this.#reportRejected(method as MethodName, error, options);
          throw error;
        });
      };
      Object.defineProperty(Reporting.prototype, method, { value: wrapped, writable: true, configurable: true });
    }
    RepositoryImpl.#Reporting = Reporting;
  }
}

