import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { verifyAuditTrail } from '@chatcore/audit';
import { CapturedSink, openDb, type Backend } from './fixtures.js';

type Repo = Record<string, (...args: unknown[]) => unknown>;
interface Seed { readonly tag: string; readonly ids: readonly string[] }
type Call = (repo: Repo, seed: Seed, options?: Record<string, unknown>) => Promise<unknown>;

interface MethodCase {
  /** ctx.method the operation reports (verifySecret reads through 'get'). */
  readonly method?: string;
  readonly write: boolean;
  readonly variants: Partial<Record<'single' | 'bulk', { call: Call; count: number }>>;
  /** Backends that have the method (default: all); elsewhere it must be refused before the onion. */
  readonly backends?: readonly Backend[];
  /** A failure inside the onion; `code` is the expected error code. Default: the fault plugin. */
  readonly fail?: { call: Call; code: string };
}

/** The SQL driver's Kysely instance of the database under test (set when it opens), untyped: tables are named per run. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let hatch: () => any = () => { throw new Error('no database open'); };
const tableOf = (repo: Repo) => (repo as unknown as { schema: { table: string } }).schema.table;

let n = 0;
const user = (tag: string) => ({ name: `u${++n}`, email: `u${n}-${tag}@example.com`, note: tag });
const drain = async (it: AsyncIterable<unknown>) => { const out = []; for await (const x of it) out.push(x); return out; };

/** Every public repository method: how to call it single and bulk, and how it fails. */
const CASES: Record<string, MethodCase> = {
  create: { write: true, variants: { single: { call: (r, s, o) => r.create!(user(s.tag), o) as Promise<unknown>, count: 1 } },
    fail: { call: (r, s) => r.create!({ ...user(s.tag), email: `dup-${s.tag}@example.com` }) as Promise<unknown>, code: 'UNIQUE_VIOLATION' } },
  createMany: { write: true, variants: { bulk: { call: (r, s, o) => r.createMany!([user(s.tag), user(s.tag), user(s.tag)], o) as Promise<unknown>, count: 3 } },
    fail: { call: (r, s) => r.createMany!([user(s.tag), { ...user(s.tag), email: `dup-${s.tag}@example.com` }]) as Promise<unknown>, code: 'UNIQUE_VIOLATION' } },
  get: { write: false, variants: { single: { call: (r, s, o) => r.get!(s.ids[0], o) as Promise<unknown>, count: 1 } } },
  getMany: { write: false, variants: { bulk: { call: (r, s, o) => r.getMany!(s.ids, o) as Promise<unknown>, count: 3 } } },
  find: { write: false, variants: { bulk: { call: (r, s, o) => r.find!({ where: { note: s.tag } }, o) as Promise<unknown>, count: 3 } } },
  findPage: { write: false, variants: { bulk: { call: (r, s, o) => r.findPage!({ where: { note: s.tag }, limit: 10 }, o) as Promise<unknown>, count: 3 } } },
  findOne: { write: false, variants: { single: { call: (r, s, o) => r.findOne!({ where: { note: s.tag } }, o) as Promise<unknown>, count: 1 } } },
  count: { write: false, variants: { bulk: { call: (r, s, o) => r.count!({ note: s.tag }, o) as Promise<unknown>, count: 3 } } },
  exists: { write: false, variants: { single: { call: (r, s, o) => r.exists!({ note: s.tag }, o) as Promise<unknown>, count: 1 } } },
  // One group (no groupBy): the event's count is the number of groups, and an aggregate touches no ids.
  aggregate: { write: false, variants: { single: { call: (r, s, o) => r.aggregate!({ where: { note: s.tag }, count: ['_all'] }, o) as Promise<unknown>, count: 1 } } },
  iterate: { write: false, variants: { bulk: { call: (r, s, o) => drain(r.iterate!({ where: { note: s.tag } }, o) as AsyncIterable<unknown>), count: 3 } } },
  verifySecret: { method: 'get', write: false, variants: { single: { call: (r, s, o) => r.verifySecret!(s.ids[0], 'password', 'pw-1', o) as Promise<unknown>, count: 1 } } },
  update: { write: true, variants: { single: { call: (r, s, o) => r.update!(s.ids[0], { age: 5 }, o) as Promise<unknown>, count: 1 } } },
  updateMany: { write: true, variants: { bulk: { call: (r, s, o) => r.updateMany!({ note: s.tag }, { age: 7 }, o) as Promise<unknown>, count: 3 } } },
  upsert: { write: true, variants: { single: { call: (r, s, o) => r.upsert!(user(s.tag), o) as Promise<unknown>, count: 1 } } },
  delete: { write: true, variants: { single: { call: (r, s, o) => r.delete!(s.ids[0], o) as Promise<unknown>, count: 1 } } },
  // A written query (SQL drivers): the statement selects whole rows of the table.
  query: { write: false, backends: ['pglite', 'postgres'], variants: { bulk: { call: (r, s, o) => r.query!(hatch().selectFrom(tableOf(r)).selectAll().where('note', '=', s.tag), o) as Promise<unknown>, count: 3 } } },
  deleteMany: { write: true, variants: { bulk: { call: (r, s, o) => r.deleteMany!({ note: s.tag }, o) as Promise<unknown>, count: 3 } } },
};

class Rollback extends Error {}

/** Resolves with the rejection reason; fails the test when the promise resolves. */
export async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new assert.Assertion({ message: 'expected the call to fail', operator: 'rejects', expects: 'rejection', actual: 'resolved', generated: false });
}

/**
 * Register the table-driven suite: every repository method (listed at run
 * time) x single/bulk x committed (autocommit and in a transaction) /
 * rolled back / failed, asserting exactly the expected audit events, in the
 * console sink and in the outbox (writes, failures, rollbacks).
 */
export function registerMethodMatrix(backend: Backend, options: { afterClose?: () => Promise<void> | void } = {}): void {
  const sink = new CapturedSink();
  let ctx: Awaited<ReturnType<typeof openDb>>;

  test.before(async () => {
    ctx = await openDb(backend, { sinks: { console: { stream: sink.stream }, outbox: true }, recordRollbacks: true });
    const driver = ctx.db.driver as unknown as { kysely?: () => unknown };
    if (driver.kysely) hatch = () => driver.kysely!();
  });
  test.after(async () => {
    await ctx.db.close();
    await options.afterClose?.();
  });

  async function seed(): Promise<Seed> {
    const tag = randomBytes(4).toString('hex');
    const rows = (await ctx.db.users.createMany([{ ...user(tag), password: 'pw-1' }, user(tag), user(tag)] as never)) as Array<{ id: string }>;
    await ctx.db.users.create({ ...user(tag), email: `dup-${tag}@example.com`, note: `other-${tag}` } as never);
    await ctx.plugin.flush();
    sink.clear();
    return { tag, ids: rows.map((r) => r.id) };
  }
  const outboxCount = async () => (await ctx.plugin.outboxReader().rows()).length;
  /** The outbox events after the first `before` rows (rows are in id order, which is insertion order). */
  const outboxSince = async (before: number) => (await ctx.plugin.outboxReader().rows()).slice(before)
    .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as Record<string, unknown>);

  test('the matrix covers every public repository method', () => {
    const repo = ctx.db.users as unknown as Repo;
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(repo)).filter((m) => m !== 'constructor' && typeof repo[m] === 'function');
    assert.ok(methods.length >= 15, methods.join(','));
    for (const m of methods) assert.ok(CASES[m], `no audit case for repository method ${m}`);
  });

  for (const [name, c] of Object.entries(CASES)) {
    const method = c.method ?? name;
    if (c.backends && !c.backends.includes(backend)) {
      test(`${backend}: ${name} is refused before the onion (UNSUPPORTED_QUERY) and records nothing`, async () => {
        await seed(); // clears the sink
        const err = await rejects((ctx.db.users as unknown as Repo)[name]!({ compile: () => ({ sql: 'select 1', parameters: [] }) }) as Promise<unknown>);
        assert.is((err as { code: string }).code, 'UNSUPPORTED_QUERY');
        await ctx.plugin.flush();
        assert.equal(sink.operations(), []);
      });
      continue;
    }
    for (const [variant, v] of Object.entries(c.variants)) {
      test(`${backend}: ${name} (${variant}) committed outside a transaction records one ok event with ${v.count} ids`, async () => {
        const s = await seed();
        const before = await outboxCount();
        await v.call(ctx.db.users as unknown as Repo, s, { traceId: `t-${s.tag}` });
        await ctx.plugin.flush();
        const ops = sink.operations();
        assert.is(ops.length, 1, JSON.stringify(ops));
        assert.equal([ops[0]!.method, ops[0]!.outcome, ops[0]!.count, ops[0]!.traceId, ops[0]!.attempt], [method, 'ok', v.count, `t-${s.tag}`, 1]);
        assert.is((ops[0]!.ids as string[]).length, name === 'count' || name === 'aggregate' ? 0 : v.count);
        assert.is(await outboxCount(), before + (c.write ? 1 : 0));
      });

      test(`${backend}: ${name} (${variant}) committed in a transaction records one ok event with the transaction id`, async () => {
        const s = await seed();
        const before = await outboxCount();
        let txId = '';
        await ctx.db.transaction(async (tx) => {
          txId = tx.transactionId;
          await v.call((tx as unknown as Record<string, Repo>).users!, s);
        });
        await ctx.plugin.flush();
        const ops = sink.operations();
        assert.is(ops.length, 1, JSON.stringify(ops));
        assert.equal([ops[0]!.method, ops[0]!.outcome, ops[0]!.count, ops[0]!.transactionId], [method, 'ok', v.count, txId]);
        assert.is(await outboxCount(), before + (c.write ? 1 : 0));
      });

      test(`${backend}: ${name} (${variant}) rolled back ${c.write ? 'is absent from the committed trail' : 'is recorded as a read'}`, async () => {
        const s = await seed();
        const before = await outboxCount();
        await rejects(ctx.db.transaction(async (tx) => {
          await v.call((tx as unknown as Record<string, Repo>).users!, s);
          throw new Rollback('roll back');
        }));
        await ctx.plugin.flush();
        const ops = sink.operations();
        if (c.write) {
          assert.is(ops.length, 0, JSON.stringify(ops));
          const rb = sink.events().filter((e) => e.type === 'rollback');
          assert.is(rb.length, 1);
          assert.is((rb[0]!.operations as Array<{ method: string }>)[0]!.method, method);
        } else {
          assert.equal(ops.map((e) => [e.method, e.outcome]), [[method, 'ok']]);
        }
        // The outbox has the rollback (autocommitted), never the rolled-back write.
        assert.equal((await outboxSince(before)).map((e) => e.type), c.write ? ['rollback'] : []);
      });
    }

    const fail = c.fail ?? { call: (r: Repo, s: Seed) => (Object.values(c.variants)[0]!.call)(r, s, { fault: `f-${s.tag}` }), code: 'CONNECTION' };
    test(`${backend}: ${name} failing inside the onion records one error event (${fail.code}) and nothing else`, async () => {
      const s = await seed();
      const before = await outboxCount();
      await rejects(fail.call(ctx.db.users as unknown as Repo, s));
      await ctx.plugin.flush();
      const ops = sink.operations();
      assert.is(ops.length, 1, JSON.stringify(ops));
      assert.equal([ops[0]!.method, ops[0]!.outcome, (ops[0]!.error as { code: string }).code], [method, 'error', fail.code]);
      assert.not.ok(sink.text.includes(`f-${s.tag}`), 'the error message and cause are redacted');
      // The failure is in the outbox too, autocommitted.
      const rows = await outboxSince(before);
      assert.equal(rows.map((e) => [e.method, e.outcome]), [[method, 'error']]);
      assert.not.ok(JSON.stringify(rows).includes(`f-${s.tag}`), 'redacted in the outbox too');
    });
  }

  test(`${backend}: the streamed trail and the outbox trail both verify`, async () => {
    await ctx.plugin.flush();
    const report = await verifyAuditTrail(sink.events(true));
    assert.ok(report.ok, JSON.stringify(report.problem));
    const reader = ctx.plugin.outboxReader();
    assert.is(await reader.pending(), 0);
    const outbox = await verifyAuditTrail(reader, await reader.checkpoints());
    assert.ok(outbox.ok, JSON.stringify(outbox.problem));
    assert.ok(outbox.events > 20);
  });

  test.run();
}
