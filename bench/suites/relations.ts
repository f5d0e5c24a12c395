import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { compare, median, pairedCpuRatio, rows } from '../lib/measure.js';
import { openDelayLink, type DelayLink } from '../lib/delay-link.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/**
 * Operations per variant and round on loopback (after 300 untimed ones per
 * variant, so the JIT has settled): ~1.5 minutes for a default run. Paths
 * with an added round trip run fewer (their operations are slower, and the
 * process is warm by then): OPS / (1 + 4 × RTT in ms).
 */
const OPS = Number(process.env.BENCH_REL_OPS ?? 800);
const WARMUP = 300;
const USERS = 50;
const CONVERSATIONS = 20;
const MESSAGES = 60;
/** Extra round trips to measure through a delayed link, in ms (opt-in: needs python3). */
const RTTS = (process.env.BENCH_RTT_MS ?? '').split(',').filter((x) => x.trim() !== '').map(Number);

/** The two tables as Kysely sees them; their real names carry a per-run suffix (see `as` casts below). */
interface Tables {
  conv: { id: string; user_id: string; title: string; seq: number };
  msg: { id: string; conversation_id: string; seq: number; role: string; body: string };
}

/** The two repositories and their relation, on tables named with a per-run suffix. */
function definitions(suffix: string) {
  const conversations = defineRepository('conversations', {
    id: f.id(), userId: f.string().indexed(), title: f.string(), seq: f.integer(),
  }, { table: `bench_rc_${suffix}`, indexes: [['userId', 'seq']] });
  const messages = defineRepository('messages', {
    id: f.id(), conversationId: f.string(), seq: f.integer(), role: f.enum(['user', 'assistant']), body: f.text(),
  }, { table: `bench_rm_${suffix}`, indexes: [['conversationId', 'seq']] });
  const repositories = { conversations, messages };
  const relations = defineRelations(repositories, {
    conversations: (r) => ({ messages: r.many('messages', { field: 'conversationId' }) }),
  });
  return { repositories, relations };
}
type Definitions = ReturnType<typeof definitions>;
type Db = ReturnType<typeof createDatabase<Definitions['repositories'], Definitions['relations']>>;

/**
 * 20 conversations of a user, each with its last 20 messages (issue 19):
 * include (one query per level) vs the N+1 loop through repositories vs two
 * hand-written Kysely queries returning the same data (a lateral join, and
 * Kysely's jsonArrayFrom). Measured on loopback, then through a link adding
 * each round trip of BENCH_RTT_MS (comma-separated ms, e.g. `0.5,1`; see
 * lib/delay-link.ts) in the same run.
 */
export async function relations(out: string[]): Promise<void> {
  const suffix = randomBytes(3).toString('hex');
  const defs = definitions(suffix);
  const { conversations, messages } = defs.repositories;
  const admin = new pg.Pool({ connectionString: URL, max: 1 });
  const db = createDatabase({ driver: postgres({ url: URL, poolSize: 4 }), ...defs });
  await db.connect();
  const users = Array.from({ length: USERS }, (_, i) => `user-${suffix}-${i}`);
  try {
    for (const userId of users) {
      const made = await db.conversations.createMany(Array.from({ length: CONVERSATIONS }, (_, i) => ({ userId, title: `t${i}`, seq: i })));
      await db.messages.createMany(made.flatMap((c) => Array.from({ length: MESSAGES }, (_, i) => ({
        conversationId: c.id, seq: i, role: i % 2 ? 'assistant' as const : 'user' as const, body: `message ${i} of ${c.title}: ${'x'.repeat(80)}`,
      }))));
    }
    await admin.query(`ANALYZE ${conversations.schema.table}; ANALYZE ${messages.schema.table}`);
    await perRow(out, db, defs, users);
    await oneParent(out, db, defs, users);
    await measure(out, URL, '', defs, users, OPS);
    for (const rtt of RTTS) {
      const target = new globalThis.URL(URL);
      const link = await openDelayLink(rtt, target.hostname, Number(target.port || 5432));
      try {
        target.hostname = link.host;
        target.port = String(link.port);
        await calibrate(out, link, target.toString(), admin);
        await measure(out, target.toString(), `, RTT +${rtt} ms`, defs, users, Math.max(50, Math.round(OPS / (1 + 4 * rtt))));
      } finally {
        link.close();
      }
    }
  } finally {
    await admin.query(`DROP TABLE IF EXISTS ${messages.schema.table}; DROP TABLE IF EXISTS ${conversations.schema.table}`);
    await admin.end();
    await db.close();
  }
}

/** A message row by field name, as `repo.find` returns it, up to `where "conversation_id"` (the raw `pg` baselines). */
function selectMessages(table: string): string {
  return `select "id" as "id", "conversation_id" as "conversationId", "seq" as "seq", "role" as "role", "body" as "body" from ${table} where "conversation_id"`;
}

/**
 * What the repository read path costs per row over raw `pg`: `find` of 400
 * messages (20 conversations' last 20 each, by `in` and limit) against the
 * same SQL text as a named statement on a plain pg pool, 1 in flight.
 */
async function perRow(out: string[], db: Db, defs: Definitions, users: readonly string[]): Promise<void> {
  const { messages } = defs.repositories;
  const pool = new pg.Pool({ connectionString: URL, max: 1 });
  try {
    const lists = await Promise.all(users.map(async (userId) => (await db.conversations.find({ where: { userId }, orderBy: { seq: 'desc' }, limit: 20 })).map((c) => c.id as string)));
    const text = `${selectMessages(messages.schema.table)} = any($1::text[]) order by "seq" desc, "id" desc limit $2`;
    const ours = (i: number) => db.messages.find({ where: { conversationId: { in: lists[i % USERS]! } }, orderBy: { seq: 'desc' }, limit: 400 });
    const raw = (i: number) => pool.query({ name: 'bench_rel_find400', text, values: [lists[i % USERS], 400] });
    const [a, b] = [await ours(0), (await raw(0)).rows];
    if (a.length !== 400 || JSON.stringify(a) !== JSON.stringify(b)) throw new Error('relations bench: find and raw pg disagree');
    const results = await compare([{ name: 'raw pg (named)', op: raw }, { name: 'repo.find', op: ours }], { count: OPS, inFlight: 1, rounds: 7, warmup: WARMUP });
    out.push(...rows('find 400 rows, 1 in flight', results, 'raw pg (named)'));
    const [r, f] = results;
    const extra = (pairedCpuRatio(f!, r!) - 1) * r!.cpuMicrosPerOp / 400;
    out.push(`| find 400 rows: ours vs raw pg, CPU per row | repo.find vs raw pg (named) | | ${(f!.cpuMicrosPerOp / 400).toFixed(2)} vs ${(r!.cpuMicrosPerOp / 400).toFixed(2)} | | ${extra >= 0 ? '+' : '−'}${Math.abs(extra).toFixed(2)} µs per row (paired) |`);
  } finally {
    await pool.end();
  }
}

/**
 * One conversation with its last 20 messages (`get` with an include, the
 * chatbot's most frequent read) against the same two statements through
 * raw named `pg`, 1 in flight. No target: the price of the repository path
 * for a single parent.
 */
async function oneParent(out: string[], db: Db, defs: Definitions, users: readonly string[]): Promise<void> {
  const { conversations, messages } = defs.repositories;
  const pool = new pg.Pool({ connectionString: URL, max: 1 });
  try {
    const ids = (await Promise.all(users.map((userId) => db.conversations.find({ where: { userId }, select: ['id'] })))).flat().map((c) => c.id as string);
    const pick = (i: number) => ids[(i * 7919) % ids.length]!;
    const ours = (i: number) => db.conversations.get(pick(i), { include: { messages: { orderBy: { seq: 'desc' }, limit: 20 } } });
    const conv = `select "id" as "id", "user_id" as "userId", "title" as "title", "seq" as "seq" from ${conversations.schema.table} where "id" = $1`;
    const msgs = `${selectMessages(messages.schema.table)} = $1 order by "seq" desc, "id" desc limit 20`;
    const raw = async (i: number) => {
      const c = (await pool.query({ name: 'bench_rel_one_c', text: conv, values: [pick(i)] })).rows[0];
      return c ? { ...c, messages: (await pool.query({ name: 'bench_rel_one_m', text: msgs, values: [pick(i)] })).rows } : null;
    };
    const [a, b] = [await ours(0), await raw(0)];
    if (a?.messages.length !== 20 || JSON.stringify(a) !== JSON.stringify(b)) throw new Error('relations bench: get with include and raw pg disagree');
    const results = await compare([{ name: 'raw pg (2 named statements)', op: raw }, { name: 'get with include', op: ours }], { count: OPS, inFlight: 1, rounds: 7, warmup: WARMUP });
    out.push(...rows('1 conversation × last 20 messages, 1 in flight', results, 'raw pg (2 named statements)'));
  } finally {
    await pool.end();
  }
}

/** The four ways, checked to agree, then timed at 1 and 4 in flight against the database at `url`. */
async function measure(out: string[], url: string, label: string, defs: Definitions, users: readonly string[], ops: number): Promise<void> {
  const { conversations, messages } = defs.repositories;
  const db = createDatabase({ driver: postgres({ url, poolSize: 4 }), ...defs });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const kysely = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  await db.connect();
  try {
    out.push(`| 20 conversations × last 20 messages${label} | (this path: \`select 1\` round trip ${(await roundTrip(pool)).toFixed(2)} ms, median of 180) | | | | |`);
    const include = (i: number) => db.conversations.find({
      where: { userId: users[i % USERS]! }, orderBy: { seq: 'desc' }, limit: 20,
      include: { messages: { orderBy: { seq: 'desc' }, limit: 20 } },
    });
    const loop = async (i: number) => {
      const list = await db.conversations.find({ where: { userId: users[i % USERS]! }, orderBy: { seq: 'desc' }, limit: 20 });
      const result = [];
      for (const c of list) result.push({ ...c, messages: await db.messages.find({ where: { conversationId: c.id }, orderBy: { seq: 'desc' }, limit: 20 }) });
      return result;
    };
    // The 20 conversations in a subquery in FROM, then the lateral join: `where c.id in (subquery)`
    // (this suite's first version) plans as a hash semi join over a sequential scan of every
    // conversation (EXPLAIN ANALYZE: ~0.7–1.1 ms of server time against ~0.2–0.3 ms for this shape).
    const handWritten = async (i: number) => {
      const flat = await kysely
        .selectFrom((eb) => eb.selectFrom(`${conversations.schema.table}` as 'conv').selectAll().where('user_id', '=', users[i % USERS]!).orderBy('seq', 'desc').limit(20).as('c'))
        .innerJoinLateral(
          (eb) => eb.selectFrom(`${messages.schema.table} as m` as 'msg as m')
            .select(['m.id as m_id', 'm.seq as m_seq', 'm.role as m_role', 'm.body as m_body', 'm.conversation_id as m_conversation_id'])
            .whereRef('m.conversation_id', '=', 'c.id').orderBy('m.seq', 'desc').limit(20).as('m'),
          (join) => join.onTrue(),
        )
        .select(['c.id', 'c.user_id', 'c.title', 'c.seq', 'm.m_id', 'm.m_seq', 'm.m_role', 'm.m_body', 'm.m_conversation_id'])
        .orderBy('c.seq', 'desc').orderBy('m.m_seq', 'desc')
        .execute();
      const byId = new Map<string, { id: string; userId: string; title: string; seq: number; messages: Array<Record<string, unknown>> }>();
      for (const r of flat as Array<Record<string, unknown>>) {
        let c = byId.get(r.id as string);
        if (!c) byId.set(r.id as string, (c = { id: r.id as string, userId: r.user_id as string, title: r.title as string, seq: r.seq as number, messages: [] }));
        c.messages.push({ id: r.m_id, conversationId: r.m_conversation_id, seq: r.m_seq, role: r.m_role, body: r.m_body });
      }
      return [...byId.values()];
    };
    // Kysely's own recipe for relations (kysely/helpers/postgres): one row per conversation, its
    // messages as a json_agg subquery that the client parses with JSON.parse.
    const jsonArray = (i: number) => kysely
      .selectFrom(`${conversations.schema.table} as c` as 'conv as c')
      .select(['c.id', 'c.user_id as userId', 'c.title', 'c.seq'])
      .select((eb) => jsonArrayFrom(
        eb.selectFrom(`${messages.schema.table} as m` as 'msg as m')
          .select(['m.id', 'm.conversation_id as conversationId', 'm.seq', 'm.role', 'm.body'])
          .whereRef('m.conversation_id', '=', 'c.id').orderBy('m.seq', 'desc').limit(20),
      ).as('messages'))
      .where('c.user_id', '=', users[i % USERS]!).orderBy('c.seq', 'desc').limit(20)
      .execute();

    // Same data from all three (ids, in order).
    const shape = (list: Array<{ id: string; messages: ReadonlyArray<Record<string, unknown>> }>) => list.map((c) => [c.id, c.messages.map((m) => m.id)]);
    const [a, b, c, d] = [shape(await include(0)), shape(await loop(0)), shape(await handWritten(0)), shape(await jsonArray(0))];
    if ([b, c, d].some((x) => JSON.stringify(x) !== JSON.stringify(a)) || a.length !== 20) throw new Error('relations bench: the variants disagree');

    for (const inFlight of [1, 4]) {
      const results = await compare(
        [
          { name: 'hand-written Kysely (lateral join)', op: handWritten },
          { name: 'hand-written Kysely (jsonArrayFrom)', op: jsonArray },
          { name: 'include', op: include },
          { name: 'N+1 loop through repositories', op: loop },
        ],
        { count: ops, inFlight, rounds: 7, warmup: Math.min(ops, WARMUP) },
      );
      out.push(...rows(`20 conversations × last 20 messages, ${inFlight} in flight${label}`, results, 'hand-written Kysely (lateral join)', { variant: 'include', min: 0.8 }));
      const inc = results.find((r) => r.name === 'include')!;
      const versus = (name: string, what: string, min: number) => {
        const other = results.find((r) => r.name === name)!;
        const paired = median(inc.rounds.map((x, k) => x / other.rounds[k]!));
        out.push(`| 20 conversations × last 20 messages, ${inFlight} in flight${label} | include vs ${what} | | | ${(inc.opsPerSec / other.opsPerSec).toFixed(2)}x | ${paired.toFixed(2)}x (target ≥ ${min}x: ${paired >= min ? 'met' : 'MISSED'}) |`);
      };
      versus('hand-written Kysely (jsonArrayFrom)', 'Kysely jsonArrayFrom', 0.8);
      versus('N+1 loop through repositories', 'N+1 loop', 5);
    }
  } finally {
    await db.close();
    await kysely.destroy();
  }
}

/** Median `select 1` round trip (ms) on a pool, after 20 to warm up. */
async function roundTrip(pool: pg.Pool): Promise<number> {
  const trips: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await pool.query('select 1');
    trips.push(performance.now() - t0);
  }
  return median(trips.slice(20));
}

/** How much longer a `select 1` round trip takes on `link` than on `base` (ms): medians of 180, measured one after the other. */
async function addedRoundTrip(base: pg.Pool, link: pg.Pool): Promise<number> {
  const before = await roundTrip(base);
  const through = await roundTrip(link);
  return through - (before + (await roundTrip(base))) / 2;
}

/**
 * Tune the link's delay until a round trip through it costs the requested
 * RTT more than on loopback (the forwarder's wake-ups and extra hops add
 * ~0.1–0.3 ms of their own, more under load). Each path is timed on its
 * own: a client waiting on a slow path sleeps between statements, and
 * waking up is part of what a round trip costs it.
 */
async function calibrate(out: string[], link: DelayLink, url: string, base: pg.Pool): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    let oneWay = link.rttMs / 2;
    let added = 0;
    for (let i = 0; i < 6; i++) {
      added = await addedRoundTrip(base, pool);
      if (Math.abs(added - link.rttMs) <= 0.05 * link.rttMs) break;
      oneWay = Math.max(0, oneWay - (added - link.rttMs) / 2);
      link.setOneWayMs(oneWay);
    }
    out.push(`| 20 conversations × last 20 messages, RTT +${link.rttMs} ms | (link: \`select 1\` costs +${added.toFixed(2)} ms over loopback; forwarder delay ${oneWay.toFixed(3)} ms each way) | | | | |`);
  } finally {
    await pool.end();
  }
}
