import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import type { Driver } from '@chatcore/core/driver';
import { postgres } from '@chatcore/postgres';
import { compare, rows } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Operations per variant and round, after 30 untimed ones (fewer leave the JIT cold: client CPU per operation 2-3x the settled figure). */
const OPS = Number(process.env.BENCH_M2M_OPS ?? 200);
const GROUPS = 2000;
/** Users with 20 memberships each (so the planner's statistics look like a real table's), and one with every group. */
const USERS = 300;
const LINKS = 20;
const LIMIT = 5;

/** Users, groups and the memberships joining them, on tables named with a per-run suffix. */
function definitions(suffix: string) {
  const users = defineRepository('users', { id: f.id(), name: f.string() }, { table: `bench_mu_${suffix}` });
  const groups = defineRepository('groups', { id: f.id(), name: f.string(), rank: f.integer() }, { table: `bench_mg_${suffix}`, indexes: [['rank']] });
  const memberships = defineRepository('memberships', {
    id: f.id(), userId: f.string(), groupId: f.string(),
  }, { table: `bench_mm_${suffix}`, indexes: [['userId', 'groupId'], ['groupId']] });
  const repositories = { users, groups, memberships };
  const relations = defineRelations(repositories, {
    users: (r) => ({ groups: r.many('groups', { through: 'memberships', field: 'userId', targetField: 'groupId' }) }),
  });
  return { repositories, relations };
}

/** The same driver without the limitThrough capability: the path that reads every link, then every target. */
function withoutThrough(driver: Driver): Driver {
  return new Proxy(driver, {
    get(target, prop, receiver) {
      if (prop === 'capabilities') return { ...target.capabilities, limitThrough: false };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * "A user with their 5 top groups" through a join repository (300 users
 * with 20 memberships each, one with all 2000 groups), for a user with 20
 * and the one with 2000 memberships: include with the limit in one statement
 * (limitThrough; for one parent a semi-join with its key as a parameter) vs the path that reads every membership and every group and
 * trims in JavaScript, vs one hand-written SQL statement through raw `pg`
 * returning the same groups (one named statement for both users, as an
 * application prepares it once: PostgreSQL's plan cache then treats both
 * sides alike).
 */
export async function relationsM2m(out: string[]): Promise<void> {
  const suffix = randomBytes(3).toString('hex');
  const defs = definitions(suffix);
  const { users, groups, memberships } = defs.repositories;
  const admin = new pg.Pool({ connectionString: URL, max: 2 });
  const db = createDatabase({ driver: postgres({ url: URL, poolSize: 4 }), ...defs });
  const old = createDatabase({ driver: withoutThrough(postgres({ url: URL, poolSize: 4 })), ...defs, schemaMode: 'verify' });
  await db.connect();
  try {
    const all = await db.groups.createMany(Array.from({ length: GROUPS }, (_, i) => ({ name: `g${i}`, rank: (i * 7919) % 1000 })));
    const people = await db.users.createMany(Array.from({ length: USERS + 1 }, (_, i) => ({ name: `u${i}` })));
    const linksOf = (k: number) => (k === USERS ? all : Array.from({ length: LINKS }, (_, j) => all[(k * 131 + j * 997) % GROUPS]!));
    await db.memberships.createMany(people.flatMap((u, k) => linksOf(k).map((g) => ({ userId: u.id, groupId: g.id }))));
    await admin.query(`ANALYZE ${users.schema.table}; ANALYZE ${groups.schema.table}; ANALYZE ${memberships.schema.table}`);
    await old.connect();
    const include = { groups: { orderBy: { rank: 'desc' as const }, limit: LIMIT } };
    const handSql = `select g.id, g.name, g.rank from ${groups.schema.table} g
      where g.id in (select m.group_id from ${memberships.schema.table} m where m.user_id = $1)
      order by g.rank desc, g.id desc limit ${LIMIT}`;
    for (const k of [0, USERS]) {
      const user = people[k]!;
      const bounded = () => db.users.get(user.id, { include });
      const everyLink = () => old.users.get(user.id, { include });
      const hand = async () => {
        const u = await admin.query('select id, name from ' + users.schema.table + ' where id = $1', [user.id]);
        const g = await admin.query({ name: 'm2m-hand', text: handSql, values: [user.id] });
        return { ...u.rows[0], groups: g.rows };
      };
      const ids = (x: { groups?: ReadonlyArray<{ id: unknown }> } | null) => JSON.stringify(x?.groups?.map((g) => g.id));
      const [a, b, c] = [ids(await bounded()), ids(await everyLink()), ids(await hand())];
      if (a !== b || a !== c) throw new Error('relations-m2m bench: the variants disagree');
      const title = `a user with ${linksOf(k).length} memberships, top ${LIMIT} groups, 1 in flight`;
      const results = await compare(
        [
          { name: 'hand-written SQL (raw pg, 2 statements)', op: hand },
          { name: 'include, limit in the database', op: bounded },
          { name: 'include, every link read (before)', op: everyLink },
        ],
        { count: OPS, inFlight: 1, rounds: 5, warmup: 30 },
      );
      out.push(...rows(title, results, 'hand-written SQL (raw pg, 2 statements)'));
    }
  } finally {
    await admin.query(`DROP TABLE IF EXISTS ${memberships.schema.table}; DROP TABLE IF EXISTS ${groups.schema.table}; DROP TABLE IF EXISTS ${users.schema.table}`);
    await admin.end();
    await old.close();
    await db.close();
  }
}
