import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import type { Driver } from '@chatcore/core/driver';
import { requireService } from '@chatcore/core/testing';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { postgres } from '../src/index.js';
import { testConfig } from './helpers/pg-config.js';

await requireService('postgres');

// A many-to-many include with a per-parent limit reads rows in proportion to the
// limit, not to the number of links: counted on the rows the driver hands back.
const tag = suffix();
const users = defineRepository('users', { id: f.id(), name: f.string() }, { table: `tb_users_${tag}` });
const groups = defineRepository('groups', { id: f.id(), name: f.string(), rank: f.integer() }, { table: `tb_groups_${tag}` });
const memberships = defineRepository('memberships', { id: f.id(), userId: f.string().indexed(), groupId: f.string().indexed() }, { table: `tb_memberships_${tag}` });
const repositories = { users, groups, memberships };
const relations = defineRelations(repositories, {
  users: (r) => ({ groups: r.many('groups', { through: 'memberships', field: 'userId', targetField: 'groupId' }) }),
});

/** A driver whose query and getByIds results are counted, row by row; `through: false` hides the capability. */
function rowCounting(driver: Driver, through: boolean) {
  const seen = { rows: 0, calls: 0 };
  const proxy = new Proxy(driver, {
    get(target, prop, receiver) {
      if (prop === 'capabilities') return { ...target.capabilities, limitThrough: through };
      const value = Reflect.get(target, prop, receiver);
      if ((prop === 'query' || prop === 'getByIds') && typeof value === 'function') {
        return async (...args: unknown[]) => {
          const rows = (await (value as (...a: unknown[]) => Promise<unknown[]>).apply(target, args));
          seen.calls++;
          seen.rows += rows.length;
          return rows;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { driver: proxy, seen };
}

const bounded = rowCounting(postgres(testConfig({ poolSize: 2 })), true);
const db = createDatabase({ driver: bounded.driver, repositories, relations });
await db.connect();
const unbounded = rowCounting(postgres(testConfig({ poolSize: 2 })), false);
const old = createDatabase({ driver: unbounded.driver, repositories, relations, schemaMode: 'verify' });
await old.connect();

const all = await db.groups.createMany(Array.from({ length: 2000 }, (_, i) => ({ name: `g${i}`, rank: (i * 7919) % 500 })));
const [few, many, none] = await db.users.createMany([{ name: 'few' }, { name: 'many' }, { name: 'none' }]);
await db.memberships.createMany([
  ...all.slice(0, 8).map((g) => ({ userId: few!.id, groupId: g.id })),
  ...all.map((g) => ({ userId: many!.id, groupId: g.id })),
]);
const include = { groups: { orderBy: { rank: 'desc' as const }, limit: 5, select: ['name', 'rank'] as const } };
/** The model: the user's groups, rank descending, ties by id descending. */
const top = (gs: typeof all) => [...gs].sort((a, b) => b.rank - a.rank || (a.id < b.id ? 1 : -1)).slice(0, 5).map((g) => ({ id: g.id, name: g.name, rank: g.rank }));

async function measured(which: typeof db, counter: { rows: number; calls: number }, id: string) {
  const before = { ...counter };
  const got = await which.users.get(id, { include: { groups: { ...include.groups, select: [...include.groups.select] } } });
  return { got, rows: counter.rows - before.rows, calls: counter.calls - before.calls };
}

test('rows read do not grow with the number of links: 8 links and 2000 links read the same 11 rows', async () => {
  const a = await measured(db, bounded.seen, few!.id);
  const b = await measured(db, bounded.seen, many!.id);
  assert.equal(a.got?.groups, top(all.slice(0, 8)));
  assert.equal(b.got?.groups, top(all));
  assert.is(a.rows, 1 + 5 + 5, 'the user, 5 groups, their 5 memberships');
  assert.is(b.rows, a.rows, 'the same with 250 times the links');
  assert.is(b.calls, 3, 'one query per repository');
});

test('the path without the capability returns the same records and reads every link', async () => {
  const b = await measured(old, unbounded.seen, many!.id);
  assert.equal(b.got?.groups, top(all));
  assert.ok(b.rows > 2 * 2000, `every membership and every group: ${b.rows} rows`);
});

test('several parents at once: n per parent, and a parent without links gets an empty list', async () => {
  const before = bounded.seen.rows;
  const got = await db.users.getMany([few!.id, many!.id, none!.id], { include: { groups: { orderBy: { rank: 'desc' }, limit: 5, select: ['name', 'rank'] } } });
  assert.equal(got.map((u) => u.groups), [top(all.slice(0, 8)), top(all), []]);
  assert.is(bounded.seen.rows - before, 3 + 2 * 5 + 2 * 5);
});

test.after(async () => {
  await old.close();
  const admin = postgres(testConfig({ poolSize: 1 }));
  try {
    await db.close();
    await dropTables(admin.executor, [memberships.schema.table, groups.schema.table, users.schema.table]);
  } finally {
    await admin.close();
  }
});
test.run();
