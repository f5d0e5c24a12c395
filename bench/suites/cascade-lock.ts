import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, defineRepository, f, type Driver } from '@chatcore/core';
import type { DriverSession } from '@chatcore/core/driver';
import { postgres } from '@chatcore/postgres';
import { compare, rows } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const COUNT = Number(process.env.BENCH_CASCADE_OPS ?? 100);
const ROUNDS = 5;
const WARMUP = 20;
const CHILDREN = 5;

/** The same driver, with sessions that offer no `lockRows`: the cascade path as it ran before the row lock. */
function withoutRowLock(driver: Driver): Driver {
  const hide = (tx: DriverSession): DriverSession => new Proxy(tx, {
    get(target, key) {
      if (key === 'lockRows') return undefined;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const transaction = driver.transaction.bind(driver);
  driver.transaction = (fn, options) => transaction((tx) => fn(hide(tx)), options);
  return driver;
}

/**
 * What the row lock of a cascading delete costs on PostgreSQL
 * (docs/referential-integrity.md): deleting a parent with 5 children
 * through `onDelete: 'cascade'`, with the lock and with sessions that hide
 * it, against raw `pg` doing the same in one transaction (delete the
 * children, then the parent). Parents and children are created before the
 * timed runs; every operation deletes a parent of its own.
 */
export async function cascadeLock(out: string[]): Promise<void> {
  const run = randomBytes(3).toString('hex');
  const chats = defineRepository('chats', { id: f.id(), title: f.string() }, { table: `bench_lock_chats_${run}` });
  const lines = defineRepository('lines', { id: f.id(), chatId: f.string().references('chats', { onDelete: 'cascade' }), body: f.text() }, { table: `bench_lock_lines_${run}` });
  const locked = createDatabase({ driver: postgres({ url: URL, poolSize: 4 }), repositories: { chats, lines } });
  const unlocked = createDatabase({ driver: withoutRowLock(postgres({ url: URL, poolSize: 4 })), repositories: { chats, lines } });
  const raw = new pg.Pool({ connectionString: URL, max: 4 });
  await locked.connect();
  await unlocked.connect();
  try {
    const per = WARMUP + COUNT * ROUNDS;
    const parents = async (): Promise<string[]> => {
      const made = await locked.chats.createMany(Array.from({ length: per }, (_, i) => ({ title: `p${i}` })));
      for (let i = 0; i < made.length; i += 200) {
        await locked.lines.createMany(made.slice(i, i + 200).flatMap((p) => Array.from({ length: CHILDREN }, (_, c) => ({ chatId: p.id, body: `c${c}` }))));
      }
      return made.map((p) => p.id);
    };
    const [a, b, c] = [await parents(), await parents(), await parents()];
    let ia = 0, ib = 0, ic = 0;
    const results = await compare([
      { name: 'raw pg: delete children, then parent, in a transaction', op: async () => {
        const id = c[ic++]!;
        const client = await raw.connect();
        try {
          await client.query('begin');
          await client.query(`delete from ${lines.schema.table} where chat_id = $1`, [id]);
          await client.query(`delete from ${chats.schema.table} where id = $1`, [id]);
          await client.query('commit');
        } finally {
          client.release();
        }
      } },
      { name: 'chats.delete, cascade, rows locked', op: () => locked.chats.delete(a[ia++]!) },
      { name: 'chats.delete, cascade, without the lock', op: () => unlocked.chats.delete(b[ib++]!) },
    ], { count: COUNT, inFlight: 1, rounds: ROUNDS, warmup: WARMUP });
    out.push(...rows(`postgres: delete a parent with ${CHILDREN} children, 1 in flight`, results, 'raw pg: delete children, then parent, in a transaction'));
  } finally {
    await raw.end();
    await unlocked.close();
    await locked.close();
  }
}
