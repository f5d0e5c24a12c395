// Plugin hooks: each before/after hook receives exactly the operations that
// fire it (the kinds of its family), so an exhaustive switch must cover them all.
// Each @ts-expect-error line has a twin right below it that compiles.
import type { OperationOf, Plugin } from '@chatcore/core/plugin';
import { db } from './schema.js';

export const exhaustiveRead: Plugin = {
  name: 'exhaustive-read',
  beforeRead({ op }) {
    switch (op.kind) {
      case 'get': case 'query': case 'count': case 'rows':
        return;
      default: {
        // @ts-expect-error aggregate reads reach beforeRead too: the switch misses a case
        const missed: never = op;
        const remaining: 'aggregate' = op.kind;
        void missed; void remaining;
      }
    }
  },
  afterRead({ op, result }) {
    switch (op.kind) {
      case 'get': case 'query': case 'count': case 'aggregate': case 'rows':
        void result.rows;
        return;
      default: {
        const impossible: never = op;
        void impossible;
      }
    }
  },
};

export function hookKinds(read: OperationOf<'read'>): void {
  // @ts-expect-error an insert is not a read
  const insert: OperationOf<'read'> = { kind: 'insert', schema: read.schema, rows: [] };
  const aggregate: OperationOf<'read'> = { kind: 'aggregate', schema: read.schema, aggregate: { where: undefined, groupBy: [], measures: [], orderBy: [] } };
  // @ts-expect-error upsert fires the create hooks, not the update hooks
  const upsertAsUpdate: OperationOf<'update'>['kind'] = 'upsert';
  const upsertAsCreate: OperationOf<'create'>['kind'] = 'upsert';
  void insert; void aggregate; void upsertAsUpdate; void upsertAsCreate;
}

// Call options a plugin reads from ctx.options are declared for the types by
// augmenting PluginCallOptions; every repository call then takes them.
declare module '@chatcore/core' {
  interface PluginCallOptions { readonly reason?: string }
}
export const reasons: Plugin = { name: 'reasons', callOptions: ['reason'], around: (op, _ctx, next) => next(op) };

export async function pluginCallOptions(id: string): Promise<void> {
  // @ts-expect-error an option no plugin declares (a ValidationError at run time)
  await db.users.get(id, { reasn: 'support' });
  await db.users.get(id, { reason: 'support' });
  // @ts-expect-error a declared option keeps its type
  await db.users.delete(id, { reason: 7, expectedVersion: 2 });
  await db.users.delete(id, { reason: 'gdpr', expectedVersion: 2 });
  await db.transaction(async (tx) => {
    // @ts-expect-error on tx.<repo> too
    await tx.conversations.create({ userId: 'u1' }, { reasons: 'signup' });
    await tx.conversations.create({ userId: 'u1' }, { reason: 'signup' });
  });
}
