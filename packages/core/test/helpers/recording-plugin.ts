import type { Plugin, TransactionEvent } from '@chatcore/core/plugin';

/** One hook call as a recording plugin saw it. */
export interface HookCall {
  readonly plugin: string;
  readonly hook: string;
  readonly kind?: string;
  readonly ids: readonly string[];
  readonly attempt?: number;
}

/**
 * A plugin that records every hook call with the ids it saw, in order.
 *
 * @example
 * ```ts
 * const calls: HookCall[] = []; const p = recordingPlugin('a', calls);
 * ```
 */
export function recordingPlugin(name: string, calls: HookCall[]): Plugin {
  const rowIds = (rows: readonly Record<string, unknown>[]) => rows.map((r) => String(r.id));
  const opIds = (op: import('../../src/index.js').Operation): string[] => {
    switch (op.kind) {
      case 'insert': return rowIds(op.rows);
      case 'upsert': return [String(op.row.id)];
      case 'get': return [...op.ids];
      case 'update': case 'delete': return [...(op.target.ids ?? [])];
      default: return [];
    }
  };
  const before = (hook: string) => ({ op }: { op: import('../../src/index.js').Operation }) => {
    calls.push({ plugin: name, hook, kind: op.kind, ids: opIds(op) });
  };
  const after = (hook: string) => ({ op, result }: { op: import('../../src/index.js').Operation; result: import('../../src/index.js').OperationResult }) => {
    calls.push({ plugin: name, hook, kind: op.kind, ids: op.kind === 'delete' ? [...(result.ids ?? [])] : rowIds(result.rows) });
  };
  const tx = (hook: string) => (e: TransactionEvent) => {
    calls.push({ plugin: name, hook, ids: e.operations.flatMap((o) => [...o.ids]), attempt: e.attempt });
  };
  return {
    name,
    beforeCreate: before('beforeCreate'),
    afterCreate: after('afterCreate'),
    beforeRead: before('beforeRead'),
    afterRead: after('afterRead'),
    beforeUpdate: before('beforeUpdate'),
    afterUpdate: after('afterUpdate'),
    beforeDelete: before('beforeDelete'),
    afterDelete: after('afterDelete'),
    afterCommit: tx('afterCommit'),
    afterRollback: tx('afterRollback'),
  };
}
