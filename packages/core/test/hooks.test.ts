import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, ConfigError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { type Plugin } from '@chatcore/core/plugin';
import type { DriverSession, RowStatement } from '@chatcore/core/driver';
import { RepositoryImpl } from '../src/repository/repository.js';
import { recordingPlugin, type HookCall } from './helpers/recording-plugin.js';

const items = defineRepository('items', {
  id: f.id(),
  name: f.string(),
  n: f.integer().default(0),
  pin: f.string().secret().optional(),
  version: f.version(),
});

type Fixture = { ids: string[] };
type Family = 'create' | 'read' | 'update' | 'delete';
interface Case {
  readonly family: Family;
  /** Runs the method; returns the ids the hooks must have seen. */
  readonly run: (repo: any, fx: Fixture) => Promise<string[]>;
  readonly writes: boolean;
}

// Every public repository method, single and bulk variants. The test below
// checks this table against the methods the Repository object really has.
const cases: Record<string, Case[]> = {
  create: [{ family: 'create', writes: true, run: async (r) => [(await r.create({ name: 'new' })).id] }],
  createMany: [
    { family: 'create', writes: true, run: async (r) => (await r.createMany([{ name: 'x' }])).map((x: any) => x.id) },
    { family: 'create', writes: true, run: async (r) => (await r.createMany([{ name: 'x' }, { name: 'y' }, { name: 'z' }])).map((x: any) => x.id) },
  ],
  get: [{ family: 'read', writes: false, run: async (r, fx) => [(await r.get(fx.ids[0])).id] }],
  getMany: [
    { family: 'read', writes: false, run: async (r, fx) => (await r.getMany([fx.ids[0]])).map((x: any) => x.id) },
    { family: 'read', writes: false, run: async (r, fx) => (await r.getMany(fx.ids)).map((x: any) => x.id) },
  ],
  find: [{ family: 'read', writes: false, run: async (r, fx) => ((await r.find({ where: { name: { startsWith: 'item' } } })).map((x: any) => x.id), fx.ids) }],
  findPage: [{ family: 'read', writes: false, run: async (r, fx) => ((await r.findPage({ limit: 2 })), fx.ids.slice(0, 3)) }],
  findOne: [{ family: 'read', writes: false, run: async (r, fx) => [(await r.findOne({ where: { id: fx.ids[1] } })).id] }],
  count: [{ family: 'read', writes: false, run: async (r) => (await r.count({ n: { gte: 0 } }), []) }],
  aggregate: [{ family: 'read', writes: false, run: async (r) => (await r.aggregate({ where: { n: { gte: 0 } }, groupBy: ['name'], count: ['_all'] }), []) }],
  exists: [{ family: 'read', writes: false, run: async (r, fx) => (await r.exists({ id: fx.ids[2] }), [fx.ids[2]!]) }],
  iterate: [{ family: 'read', writes: false, run: async (r, fx) => { const seen: string[] = []; for await (const x of r.iterate({}, { pageSize: 10 })) seen.push(x.id); return fx.ids; } }],
  verifySecret: [{ family: 'read', writes: false, run: async (r, fx) => (await r.verifySecret(fx.ids[0], 'pin', '1234'), [fx.ids[0]!]) }],
  query: [{ family: 'read', writes: false, run: async (r, fx) => (await r.query({ compile: () => ({ sql: 'by ids', parameters: fx.ids.slice(0, 2) }) })).map((x: any) => x.id) }],
  update: [{ family: 'update', writes: true, run: async (r, fx) => [(await r.update(fx.ids[0], { n: { increment: 1 } })).id] }],
  updateMany: [
    { family: 'update', writes: true, run: async (r, fx) => (await r.updateMany({ id: fx.ids[1] }, { name: 'renamed' }), [fx.ids[1]!]) },
    { family: 'update', writes: true, run: async (r, fx) => (await r.updateMany({ id: { in: fx.ids } }, { n: 7 }), fx.ids) },
  ],
  upsert: [
    { family: 'create', writes: true, run: async (r, fx) => [(await r.upsert({ id: fx.ids[0], name: 'up' })).id] },
    { family: 'create', writes: true, run: async (r) => [(await r.upsert({ id: 'fresh-id', name: 'up' })).id] },
  ],
  delete: [{ family: 'delete', writes: true, run: async (r, fx) => (await r.delete(fx.ids[2]), [fx.ids[2]!]) }],
  deleteMany: [
    { family: 'delete', writes: true, run: async (r, fx) => (await r.deleteMany({ id: fx.ids[0] }), [fx.ids[0]!]) },
    { family: 'delete', writes: true, run: async (r, fx) => (await r.deleteMany({ id: { in: fx.ids } }), fx.ids) },
  ],
};

const HOOKS: Record<Family, [string, string]> = {
  create: ['beforeCreate', 'afterCreate'],
  read: ['beforeRead', 'afterRead'],
  update: ['beforeUpdate', 'afterUpdate'],
  delete: ['beforeDelete', 'afterDelete'],
};

/**
 * The memory driver with a stand-in for the SQL drivers' `selectRows`: the
 * statement's parameters are the ids to read. Enough to send `query`
 * through the hooks, in and out of transactions.
 */
function withSelectRows<S extends DriverSession>(session: S): S {
  return new Proxy(session, {
    get(target, key) {
      if (key === 'selectRows') return (schema: never, st: RowStatement, o: never) => target.getByIds(schema, st.parameters as string[], o);
      if (key === 'transaction') return (fn: (tx: DriverSession) => Promise<unknown>, o: never) => target.transaction((tx) => fn(withSelectRows(tx)), o);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function setup() {
  const calls: HookCall[] = [];
  const db = createDatabase({ driver: withSelectRows(memoryDriver()), repositories: { items }, plugins: [recordingPlugin('outer', calls), recordingPlugin('inner', calls)] });
  await db.connect();
  const seeded = await db.items.createMany([{ name: 'item1', pin: '1234' }, { name: 'item2' }, { name: 'item3' }]);
  calls.length = 0;
  return { db, calls, fx: { ids: seeded.map((s) => s.id) } };
}

const sorted = (xs: readonly string[]) => [...xs].sort();

test('the case table covers every public repository method', () => {
  const methods = Object.getOwnPropertyNames(RepositoryImpl.prototype).filter((m) => m !== 'constructor');
  assert.equal(methods.sort(), Object.keys(cases).sort());
});

for (const [method, variants] of Object.entries(cases)) {
  for (const [vi, c] of variants.entries()) {
    for (const mode of ['none', 'committed', 'rolledBack'] as const) {
      test(`${method}#${vi} (${mode}): hooks see exactly the touched ids; commit/rollback hooks fire once`, async () => {
        const { db, calls, fx } = await setup();
        let expected: string[] = [];
        if (mode === 'none') expected = await c.run(db.items, fx);
        else {
          const boom = new Error('roll back');
          try {
            await db.transaction(async (tx) => {
              expected = await c.run(tx.items, fx);
              if (mode === 'rolledBack') throw boom;
            });
          } catch (e) {
            assert.is(e, boom);
          }
        }
        const [beforeName, afterName] = HOOKS[c.family];
        for (const plugin of ['outer', 'inner']) {
          const mine = calls.filter((x) => x.plugin === plugin);
          const before = mine.filter((x) => x.hook === beforeName);
          const after = mine.filter((x) => x.hook === afterName);
          assert.ok(before.length >= 1, `${plugin}.${beforeName} fired`);
          assert.equal(after.length, before.length, `${plugin}: one ${afterName} per ${beforeName}`);
          const ids = c.family === 'read' ? after.flatMap((x) => x.ids) : after.at(-1)!.ids;
          assert.equal(sorted([...new Set(ids)]), sorted(expected), `${plugin}.${afterName} ids`);
          const commits = mine.filter((x) => x.hook === 'afterCommit');
          const rollbacks = mine.filter((x) => x.hook === 'afterRollback');
          if (mode === 'rolledBack') {
            assert.is(commits.length, 0, 'no afterCommit on rollback');
            assert.is(rollbacks.length, 1, 'afterRollback once');
            assert.equal(sorted([...new Set(rollbacks[0]!.ids)]), sorted(expected), 'afterRollback lists the operations of the attempt');
          } else {
            assert.is(rollbacks.length, 0, 'no afterRollback on success');
            if (mode === 'committed') {
              assert.is(commits.length, 1, 'afterCommit once for the transaction');
              if (c.writes) assert.equal(sorted([...new Set(commits[0]!.ids)]), sorted(expected));
            } else {
              assert.ok(commits.length >= 1, 'autocommitted operations report afterCommit');
              if (c.writes) assert.equal(sorted([...new Set(commits.flatMap((x) => x.ids))]), sorted(expected));
            }
          }
          // Outermost first on the way down, innermost first on the way up.
          const order = calls.filter((x) => x.hook === beforeName).map((x) => x.plugin);
          assert.is(order[0], 'outer');
        }
        if (mode === 'rolledBack' && c.writes) {
          const after = await db.items.find({});
          const names = after.map((x) => `${x.id}:${x.name}:${x.n}`).sort();
          assert.is(after.length, 3, 'rolled-back writes left the data as it was');
          assert.equal(sorted(after.map((x) => x.id)), sorted(fx.ids));
          assert.ok(names.every((n) => /:item\d:0$/.test(n)), 'values unchanged');
        }
        await db.close();
      });
    }
  }
}

test('a nested transaction that fails reports afterRollback for its operations only; the outer commit reports the rest', async () => {
  const { db, calls } = await setup();
  let kept = '';
  let dropped = '';
  await db.transaction(async (tx) => {
    kept = (await tx.items.create({ name: 'kept' })).id;
    await tx.transaction(async (inner) => {
      dropped = (await inner.items.create({ name: 'dropped' })).id;
      throw new Error('inner fails');
    }).catch(() => undefined);
  });
  const outer = calls.filter((c) => c.plugin === 'outer');
  const commits = outer.filter((c) => c.hook === 'afterCommit');
  const rollbacks = outer.filter((c) => c.hook === 'afterRollback');
  assert.is(commits.length, 1);
  assert.equal(commits[0]!.ids, [kept]);
  assert.is(rollbacks.length, 1);
  assert.equal(rollbacks[0]!.ids, [dropped]);
  assert.is(await db.items.get(dropped), null);
  assert.ok(await db.items.get(kept));
  await db.close();
});

test('a write whose call failed in a transaction reaches afterCommit marked failed, with the ids it names', async () => {
  let failing = false;
  const seen: Array<{ kind: string; ids: readonly string[]; failed: boolean }> = [];
  const thrower: Plugin = { name: 'thrower', async around(op, _ctx, next) { const r = await next(op); if (failing) throw new Error('after the write'); return r; } };
  const watcher: Plugin = { name: 'watcher', afterCommit(e) { for (const o of e.operations) seen.push({ kind: o.op.kind, ids: o.ids, failed: o.failed === true }); } };
  const db = createDatabase({ driver: memoryDriver(), repositories: { items }, plugins: [watcher, thrower] });
  await db.connect();
  const x = await db.items.create({ name: 'a' });
  seen.length = 0;
  await db.transaction(async (tx) => {
    failing = true;
    await tx.items.update(x.id, { name: 'b' }).catch(() => undefined);
    await tx.items.updateMany({ name: 'b' }, { n: 1 }).catch(() => undefined);
    await tx.items.get(x.id).catch(() => undefined);
    failing = false;
    await tx.items.update(x.id, { name: 'c' });
  });
  assert.equal(seen, [
    { kind: 'update', ids: [x.id], failed: true },
    { kind: 'update', ids: [], failed: true },
    { kind: 'update', ids: [x.id], failed: false },
  ], 'failed writes are listed, failed reads are not');
  await db.close();
});

test('around can short-circuit: the driver is not called and after hooks still run', async () => {
  const calls: HookCall[] = [];
  let driverReads = 0;
  const driver = memoryDriver();
  const getByIds = driver.getByIds.bind(driver);
  driver.getByIds = async (...args) => (driverReads++, getByIds(...args));
  const shortCircuit: Plugin = {
    name: 'answer',
    async around(op, _ctx, next) {
      if (op.kind === 'get' && op.ids[0] === 'canned') return { rows: [{ id: 'canned', name: 'from plugin', n: 1, pin: null, version: 1 }], servedBy: 'answer' };
      return next(op);
    },
  };
  const db = createDatabase({ driver, repositories: { items }, plugins: [recordingPlugin('outer', calls), shortCircuit] });
  await db.connect();
  const got = await db.items.get('canned');
  assert.is(got?.name, 'from plugin');
  assert.is(driverReads, 0);
  assert.equal(calls.filter((c) => c.hook === 'afterRead').map((c) => c.ids), [['canned']]);
  await db.close();
});

test('a stack with the cache above encryption is rejected with a message naming the fix', () => {
  const enc: Plugin = { name: 'encryption', placement: { protectsSensitive: true } };
  const cache: Plugin = { name: 'cache', placement: { storesData: true } };
  const audit: Plugin = { name: 'audit', placement: { prefersOutermost: true } };
  try {
    createDatabase({ driver: memoryDriver(), repositories: { items }, plugins: [audit, cache, enc] });
    assert.unreachable('wrong order accepted');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, 'Use [audit, encryption, cache]');
  }
  const ok = createDatabase({ driver: memoryDriver(), repositories: { items }, plugins: [audit, enc, cache] });
  assert.ok(ok.items);
});

test('sensitive fields without an encryption plugin are refused unless allowed for development', () => {
  const people = defineRepository('people', { id: f.id(), ssn: f.string().sensitive() });
  assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { people } }), (e: Error) => e instanceof ConfigError && /encryption/.test(e.message));
  assert.ok(createDatabase({ driver: memoryDriver(), repositories: { people }, allowPlaintextSensitive: true }).people);
});

test.run();
