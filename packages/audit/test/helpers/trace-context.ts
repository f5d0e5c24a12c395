import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CapturedSink, openDb, type Backend } from './fixtures.js';

/** Register the trace-context tests against one backend. */
export function registerTraceContext(backend: Backend): void {
const sink = new CapturedSink();
let ctx: Awaited<ReturnType<typeof openDb>>;

test.before(async () => {
  ctx = await openDb(backend, { sinks: { console: { stream: sink.stream }, outbox: true } });
});
test.after(async () => {
  await ctx.db.close();
});

test('nested calls inside withContext and a transaction share the trace id, actor and tenant', async () => {
  sink.clear();
  await ctx.db.withContext({ traceId: 'trace-outer', actor: 'user:1', tenant: 'acme' }, async () => {
    const u = await ctx.db.users.create({ name: 'a', email: 'a@x.io' } as never) as { id: string };
    await ctx.db.transaction(async (tx) => {
      await tx.users.update(u.id, { age: 2 } as never);
      await ctx.db.withContext({ actor: 'user:2' }, () => tx.users.get(u.id));
    });
  });
  await ctx.plugin.flush();
  const ops = sink.operations();
  assert.equal(ops.map((e) => e.method), ['create', 'get', 'update']);
  assert.ok(ops.every((e) => e.traceId === 'trace-outer' && e.tenant === 'acme'));
  assert.equal(ops.map((e) => e.actor), ['user:1', 'user:2', 'user:1']);
});

test('50 concurrent requests each keep their own trace id in every event', async () => {
  sink.clear();
  await Promise.all(Array.from({ length: 50 }, (_, i) => ctx.db.withContext({ traceId: `req-${i}`, actor: `user:${i}` }, async () => {
    const u = await ctx.db.users.create({ name: `n${i}`, email: `c${i}@x.io` } as never) as { id: string };
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    await ctx.db.users.get(u.id);
    await ctx.db.users.update(u.id, { age: i } as never);
    await ctx.db.users.find({ where: { id: u.id } } as never);
    return u.id;
  })));
  await ctx.plugin.flush();
  const ops = sink.operations();
  assert.is(ops.length, 200);
  for (let i = 0; i < 50; i++) {
    const mine = ops.filter((e) => e.traceId === `req-${i}`);
    assert.equal(mine.map((e) => e.method).sort(), ['create', 'find', 'get', 'update']);
    assert.ok(mine.every((e) => e.actor === `user:${i}`));
    const id = (mine.find((e) => e.method === 'create')!.ids as string[])[0];
    assert.ok(mine.every((e) => (e.ids as string[])[0] === id), 'every event of the request names its own record');
  }
});

test('a trace id given per call wins over the ambient one', async () => {
  sink.clear();
  await ctx.db.withContext({ traceId: 'ambient' }, () => ctx.db.users.count({} as never, { traceId: 'explicit' }));
  await ctx.plugin.flush();
  assert.equal(sink.operations().map((e) => e.traceId), ['explicit']);
});

test.run();
}
