import type { DriverCallOptions, DriverSession } from '../driver/driver.js';
import type { OperationContext } from '../context/operation-context.js';
import type { AfterHookEvent, HookEvent, Plugin } from './plugin.js';
import type { Operation, OperationResult } from './operation.js';

type Hook = (event: never) => unknown;

function beforeHook(p: Plugin, kind: Operation['kind']): Hook | undefined {
  switch (kind) {
    case 'insert': case 'upsert': return p.beforeCreate as Hook | undefined;
    case 'get': case 'query': case 'count': return p.beforeRead as Hook | undefined;
    case 'update': return p.beforeUpdate as Hook | undefined;
    case 'delete': return p.beforeDelete as Hook | undefined;
  }
}

function afterHook(p: Plugin, kind: Operation['kind']): Hook | undefined {
  switch (kind) {
    case 'insert': case 'upsert': return p.afterCreate as Hook | undefined;
    case 'get': case 'query': case 'count': return p.afterRead as Hook | undefined;
    case 'update': return p.afterUpdate as Hook | undefined;
    case 'delete': return p.afterDelete as Hook | undefined;
  }
}

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
      const before = beforeHook(plugin, op.kind);
      if (before) await (before as (e: HookEvent) => unknown).call(plugin, { op, ctx });
      const next = (o: Operation) => this.layer(i + 1, o, ctx, terminal);
      const result = plugin.around ? await plugin.around(op, ctx, next) : await next(op);
      const after = afterHook(plugin, op.kind);
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
