import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import { createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { compare, rows } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OPS = Number(process.env.BENCH_REL_OPS ?? 60);
const USERS = 50;
const CONVERSATIONS = 20;
const MESSAGES = 60;

/** The two tables as Kysely sees them; their real names carry a per-run suffix (see `as` casts below). */
interface Tables {
  conv: { id: string; user_id: string; title: string; seq: number };
  msg: { id: string; conversation_id: string; seq: number; role: string; body: string };
}

/**
 * 20 conversations of a user, each with its last 20 messages (issue 19):
 * include (one query per level) vs the N+1 loop through repositories vs a
 * hand-written Kysely lateral join returning the same data.
 */
export async function relations(out: string[]): Promise<void> {
  const suffix = randomBytes(3).toString('hex');
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
  const db = createDatabase({ driver: postgres({ url: URL, poolSize: 4 }), repositories, relations });
  const pool = new pg.Pool({ connectionString: URL, max: 4 });
  const kysely = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  await db.connect();
  try {
    const users = Array.from({ length: USERS }, (_, i) => `user-${suffix}-${i}`);
    for (const userId of users) {
      const made = await db.conversations.createMany(Array.from({ length: CONVERSATIONS }, (_, i) => ({ userId, title: `t${i}`, seq: i })));
      await db.messages.createMany(made.flatMap((c) => Array.from({ length: MESSAGES }, (_, i) => ({
        conversationId: c.id, seq: i, role: i % 2 ? 'assistant' as const : 'user' as const, body: `message ${i} of ${c.title}: ${'x'.repeat(80)}`,
      }))));
    }
    await pool.query(`ANALYZE ${conversations.schema.table}; ANALYZE ${messages.schema.table}`);

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
    const handWritten = async (i: number) => {
      const flat = await kysely
        .selectFrom(`${conversations.schema.table} as c` as 'conv as c')
        .innerJoinLateral(
          (eb) => eb.selectFrom(`${messages.schema.table} as m` as 'msg as m')
            .select(['m.id as m_id', 'm.seq as m_seq', 'm.role as m_role', 'm.body as m_body', 'm.conversation_id as m_conversation_id'])
            .whereRef('m.conversation_id', '=', 'c.id').orderBy('m.seq', 'desc').limit(20).as('m'),
          (join) => join.onTrue(),
        )
        .select(['c.id', 'c.user_id', 'c.title', 'c.seq', 'm.m_id', 'm.m_seq', 'm.m_role', 'm.m_body', 'm.m_conversation_id'])
        .where('c.id', 'in', (eb) => eb.selectFrom(`${conversations.schema.table} as c2` as 'conv as c2').select('c2.id').where('c2.user_id', '=', users[i % USERS]!).orderBy('c2.seq', 'desc').limit(20))
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

    // Same data from all three (ids, in order).
    const shape = (list: Array<{ id: string; messages: ReadonlyArray<Record<string, unknown>> }>) => list.map((c) => [c.id, c.messages.map((m) => m.id)]);
    const [a, b, c] = [shape(await include(0)), shape(await loop(0)), shape(await handWritten(0))];
    if (JSON.stringify(a) !== JSON.stringify(b) || JSON.stringify(a) !== JSON.stringify(c) || a.length !== 20) throw new Error('relations bench: the variants disagree');

    for (const inFlight of [1, 4]) {
      const results = await compare(
        [
          { name: 'hand-written Kysely (lateral join)', op: handWritten },
          { name: 'include', op: include },
          { name: 'N+1 loop through repositories', op: loop },
        ],
        { count: OPS, inFlight, rounds: 7, warmup: 4 },
      );
      out.push(...rows(`20 conversations × last 20 messages, ${inFlight} in flight`, results, 'hand-written Kysely (lateral join)', { variant: 'include', min: 0.8 }));
      const inc = results.find((r) => r.name === 'include')!;
      const n1 = results.find((r) => r.name === 'N+1 loop through repositories')!;
      const paired = inc.rounds.map((x, k) => x / n1.rounds[k]!).sort((p, q) => p - q)[Math.floor(inc.rounds.length / 2)]!;
      out.push(`| 20 conversations × last 20 messages, ${inFlight} in flight | include vs N+1 loop | | | ${(inc.opsPerSec / n1.opsPerSec).toFixed(2)}x | ${paired.toFixed(2)}x (target ≥ 5x: ${paired >= 5 ? 'met' : 'MISSED'}) |`);
    }
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${messages.schema.table}; DROP TABLE IF EXISTS ${conversations.schema.table}`);
    await db.close();
    await kysely.destroy();
  }
}
