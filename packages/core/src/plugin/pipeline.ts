import { UnsupportedQueryError } from '../errors.js';
import type { DriverCallOptions, DriverSession } from '../driver/driver.js';
import type { OperationContext } from '../context/operation-context.js';
import type { AfterHookEvent, HookEvent, Plugin } from './plugin.js';
import { familyOf, type HookFamily, type Operation, type OperationResult } from './operation.js';

type Hook = (event: never) => unknown;
type HookName = 'beforeCreate' | 'afterCreate' | 'beforeRead' | 'afterRead' | 'beforeUpdate' | 'afterUpdate' | 'beforeDelete' | 'afterDelete';

/** The before/after hook pair of each family; `familyOf` says which family an operation kind is (upsert fires the create hooks). */
const HOOKS: Readonly<Record<HookFamily, readonly [HookName, HookName]>> = {
  create: ['beforeCreate', 'afterCreate'],
  read: ['beforeRead', 'afterRead'],
  update: ['beforeUpdate', 'afterUpdate'],
  delete: ['beforeDelete', 'afterDelete'],
};

/**
 * Send one operation to a driver session, below every plugin.
 *
 * @example
 * ```ts
 * const result = await callDriver(driver, { kind: 'get', schema, ids: [id] }, {});
 * ```
 */
export async function callDriver(session: DriverSession, op: Operation, options: DriverCallOptions): Promise<OperationResult> {
  switch (op.kind) {
    case 'insert':
      await session.insert(op.schema, op.rows, options);
      return { rows: op.rows };
    case 'get':
      return { rows: await session.getByIds(op.schema, op.ids, op.select ? { ...options, select: op.select } : options) };
    case 'query':
      return { rows: await session.query(op.schema, op.query, options) };
    case 'count':
      return { rows: [], count: await session.count(op.schema, op.where, options) };
    case 'aggregate':
      return { rows: [], groups: await session.aggregate(op.schema, op.aggregate, options) };
    case 'rows':
      if (!session.selectRows) throw new UnsupportedQueryError(`This driver cannot run a written query for ${op.schema.name}: use find, or a SQL driver.`, { info: { capability: 'selectRows' } });
      return { rows: await session.selectRows(op.schema, op.statement, options) };
    case 'update':
      return { rows: await session.update(op.schema, op.target, op.patch, options) };
    case 'delete':
      return { rows: [], ids: await session.delete(op.schema, op.target, options) };
    case 'upsert': {
      const { row, created } = await session.upsert(op.schema, op.row, { conflictFields: op.conflictFields, patch: op.patch }, options);
      return { rows: [row], created };
    }
  }
}

/**
 * The plugin onion. `run` sends an operation through every plugin, outermost
 * first: each plugin's before-hook, then its `around` (which calls the next
 * layer, or answers itself), then on the way back its after-hook. When a
 * layer throws, each plugin it passed through gets `onError`.
 *
 * @example
 * ```ts
 * const pipeline = new Pipeline([audit, encryption, cache]);
 * const result = await pipeline.run(op, ctx, (o) => callDriver(driver, o, {}));
 * ```
 */
export class Pipeline {
  readonly plugins: readonly Plugin[];

  constructor(plugins: readonly Plugin[]) {
    this.plugins = plugins;
  }

  run(op: Operation, ctx: OperationContext, terminal: (op: Operation) => Promise<OperationResult>, from = 0): Promise<OperationResult> {
    if (from >= this.plugins.length) return terminal(op);
    return this.layer(from, op, ctx, terminal);
  }

  private async layer(i: number, op: Operation, ctx: OperationContext, terminal: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    if (i >= this.plugins.length) return terminal(op);
    const plugin = this.plugins[i]!;
    try {
      const [beforeName, afterName] = HOOKS[familyOf(op.kind)];
      const before = plugin[beforeName] as Hook | undefined;
      if (before) await (before as (e: HookEvent) => unknown).call(plugin, { op, ctx });
      const next = (o: Operation) => this.layer(i + 1, o, ctx, terminal);
      const result = plugin.around ? await plugin.around(op, ctx, next) : await next(op);
      const after = plugin[afterName] as Hook | undefined;
      if (after) await (after as (e: AfterHookEvent) => unknown).call(plugin, { op, ctx, result });
      return result;
    } catch (error) {
      if (plugin.onError) {
        try {
          await plugin.onError({ op, ctx, error });
        } catch {
          // A failing error hook must not replace the original error.
        }
      }
      throw error;
    }
  }
}
