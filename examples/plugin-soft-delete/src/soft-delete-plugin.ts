import { AsyncLocalStorage } from 'node:async_hooks';
import { ConfigError, ValidationError } from '@chatcore/core';
import type {
  AfterHookEvent, HookEvent, Operation, OperationContext, OperationOf, OperationResult, Plugin, PluginHost, RepositorySchema, TransactionEvent,
} from '@chatcore/core/plugin';
import type { SoftDeleteOptions, SoftDeleteStats } from './soft-delete-options.js';
import { deleteAsUpdate, onlyLive } from './soft-delete-transformer.js';

/** Per-call state: how many records this operation soft-deleted, or which field it added to a projection. */
const SOFT_DELETED = Symbol('soft-delete.count');
const ADDED_TO_SELECT = Symbol('soft-delete.select');

/**
 * Soft delete: `delete` and `deleteMany` set a timestamp field instead of
 * removing the record, and every read (`get`, `find`, `count`, `exists`,
 * ...) and update leaves deleted records out. `includingDeleted(fn)` sees
 * them (and deletes inside it remove records for good). Place it below
 * audit, so the audit trail records the delete the caller made, and above
 * encryption and the cache: `[audit(), softDelete(), encryption(), cache()]`.
 *
 * @example
 * ```ts
 * const sd = softDelete();
 * const db = createDatabase({ driver: pglite(), repositories: { notes }, plugins: [sd] });
 * await db.notes.delete(id);                                  // sets deletedAt
 * await db.notes.get(id);                                     // null
 * await sd.includingDeleted(() => db.notes.get(id));          // the record, deletedAt set
 * await sd.includingDeleted(() => db.notes.update(id, { deletedAt: null })); // restored
 * ```
 */
export class SoftDeletePlugin implements Plugin {
  readonly name = 'soft-delete';
  readonly field: string;
  private readonly listed: readonly string[] | undefined;
  /** Repositories (by name) this plugin applies to, known once extendSchema has run. */
  private readonly applies = new Set<string>();
  private readonly including = new AsyncLocalStorage<boolean>();
  private connected = false;
  private counts = { softDeleted: 0, rolledBack: 0, hidden: 0 };

  constructor(options: SoftDeleteOptions = {}) {
    this.field = options.field ?? 'deletedAt';
    this.listed = options.repositories;
  }

  /** Run `fn` with deleted records visible to reads and updates; a delete inside it removes records for good. */
  includingDeleted<T>(fn: () => T): T {
    return this.including.run(true, fn);
  }

  stats(): SoftDeleteStats {
    return { ...this.counts };
  }

  // Runs in createDatabase: find the repositories to act on, refuse a listed one without the field.
  extendSchema(schemas: readonly RepositorySchema[]): readonly RepositorySchema[] {
    for (const schema of schemas) {
      const meta = schema.fields[this.field];
      const wanted = this.listed ? this.listed.includes(schema.name) : meta !== undefined && schema.ownedBy === undefined;
      if (!wanted) continue;
      if (!meta || meta.type !== 'timestamp' || !meta.optional) {
        throw new ConfigError(`soft-delete: repository ${schema.name} needs an optional timestamp field ${this.field}: add ${this.field}: f.timestamp().optional() to its schema.`);
      }
      this.applies.add(schema.name);
    }
    for (const name of this.listed ?? []) {
      if (!schemas.some((s) => s.name === name)) throw new ConfigError(`soft-delete: no repository named ${name}; list only declared repositories.`);
    }
    return schemas;
  }

  // Runs in db.connect(), after every plugin's extendSchema: the field must still be stored as a
  // plain timestamp (a plugin that transformed it, e.g. encrypted it, would break the null filter).
  connect(host: PluginHost): void {
    for (const name of this.applies) {
      const meta = host.schema(name).fields[this.field];
      if (!meta || meta.type !== 'timestamp' || meta.storedAs !== undefined) {
        throw new ConfigError(`soft-delete: ${name}.${this.field} is stored as ${meta?.storedAs ?? meta?.type ?? 'nothing'} below this plugin; keep it a plain timestamp (do not encrypt it).`);
      }
    }
    this.connected = true;
  }

  close(): void {
    this.connected = false;
  }

  health() {
    return [{ name: this.name, status: this.connected ? 'up' as const : 'down' as const, details: { field: this.field, repositories: [...this.applies] } }];
  }

  private active(schema: RepositorySchema): boolean {
    return this.applies.has(schema.name) && this.including.getStore() !== true;
  }

  // Rewrites pass a new operation down, so the plugins above (audit) keep
  // the one the caller made: a delete stays a delete in the audit trail.
  async around(op: Operation, ctx: OperationContext, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    if (!this.active(op.schema)) return next(op);
    const field = this.field;
    switch (op.kind) {
      case 'delete': {
        const result = await next(deleteAsUpdate(op, field, new Date()));
        const ids = result.rows.map((row) => row.id as string);
        ctx.state.set(SOFT_DELETED, ids.length);
        return { rows: [], ids };
      }
      case 'query':
        return next({ ...op, query: { ...op.query, where: onlyLive(op.query.where, field) } });
      case 'count':
        return next({ ...op, where: onlyLive(op.where, field) });
      case 'aggregate':
        return next({ ...op, aggregate: { ...op.aggregate, where: onlyLive(op.aggregate.where, field) } });
      case 'update':
        return next({ ...op, target: { ...op.target, where: onlyLive(op.target.where, field) } });
      case 'upsert':
        // A conflict with a deleted record brings it back: the caller asked for a live one.
        return next({ ...op, patch: { ...op.patch, set: { ...op.patch.set, [field]: null } } });
      case 'get':
        if (!op.select || op.select.includes(field)) return next(op);
        // A projected get must still bring the field back, to tell deleted records apart.
        ctx.state.set(ADDED_TO_SELECT, true);
        return next({ ...op, select: [...op.select, field] });
      case 'insert':
      case 'rows': // a written query cannot be rewritten: its deleted rows are dropped on the way up
        return next(op);
    }
  }

  // Records are created live; a deleted one is written only inside includingDeleted (an import).
  beforeCreate({ op }: HookEvent<OperationOf<'create'>>): void {
    if (!this.active(op.schema)) return;
    const rows = op.kind === 'insert' ? op.rows : [op.row];
    if (rows.some((row) => row[this.field] !== null && row[this.field] !== undefined)) {
      throw new ValidationError([{ path: this.field, message: `records are created live: leave ${this.field} out, or write deleted records inside includingDeleted()` }]);
    }
  }

  // The get results come back through here from every layer below, cache hits included.
  afterRead({ op, ctx, result }: AfterHookEvent<OperationOf<'read'>>): void {
    if ((op.kind !== 'get' && op.kind !== 'rows') || !this.active(op.schema)) return;
    const live = result.rows.filter((row) => row[this.field] === null || row[this.field] === undefined);
    this.counts.hidden += result.rows.length - live.length;
    // New objects: the rows may be shared with a layer below (a cache).
    result.rows = ctx.state.get(ADDED_TO_SELECT) ? live.map(({ [this.field]: _, ...rest }) => rest) : live;
  }

  // Counted after commit only: a rolled-back delete deleted nothing.
  afterCommit(event: TransactionEvent): void {
    for (const o of event.operations) this.counts.softDeleted += (o.ctx.state.get(SOFT_DELETED) as number | undefined) ?? 0;
  }

  afterRollback(event: TransactionEvent): void {
    for (const o of event.operations) this.counts.rolledBack += (o.ctx.state.get(SOFT_DELETED) as number | undefined) ?? 0;
  }
}

/**
 * The soft-delete plugin (see SoftDeletePlugin).
 *
 * @example
 * ```ts
 * const notes = defineRepository('notes', { id: f.id(), title: f.string(), deletedAt: f.timestamp().optional(), version: f.version() });
 * const db = createDatabase({ driver: pglite(), repositories: { notes }, plugins: [softDelete()] });
 * ```
 */
export function softDelete(options: SoftDeleteOptions = {}): SoftDeletePlugin {
  return new SoftDeletePlugin(options);
}
