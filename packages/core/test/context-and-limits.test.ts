import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortedError, createDatabase, ValidationError, defineRepository, f, TimeoutError } from '@chatcore/core';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import { type Plugin, type OperationContext } from '@chatcore/core/plugin';

const notes = defineRepository('notes', {
  id: f.id(),
  body: f.text(),
  pin: f.string().secret().optional(),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

function slowDriver(ms: number): Driver {
  const d = memoryDriver();
  const query = d.query.bind(d);
  d.query = async (...args) => {
    await new Promise((r) => setTimeout(r, ms));
    return query(...args);
  };
  return d;
}

test('trace id, actor and tenant flow from withContext into every operation, also across concurrent requests', async () => {
  const seen: OperationContext[] = [];
  const spy: Plugin = { name: 'spy', beforeRead: ({ ctx }) => void seen.push(ctx), beforeCreate: ({ ctx }) => void seen.push(ctx) };
  const db = createDatabase({ driver: memoryDriver(), repositories: { notes }, plugins: [spy] });
  await db.connect();
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      db.withContext({ traceId: `trace-${i}`, actor: `user:${i}`, tenant: `t${i % 3}` }, async () => {
        const n = await db.notes.create({ body: `n${i}` });
        await new Promise((r) => setTimeout(r, i % 5));
        await db.notes.get(n.id);
      }),
    ),
  );
  assert.is(seen.length, 100);
  for (const ctx of seen) {
    const i = Number(ctx.traceId.slice(6));
    assert.is(ctx.actor, `user:${i}`);
    assert.is(ctx.tenant, `t${i % 3}`);
  }
  const generated = await db.notes.find({});
  assert.is(generated.length, 50);
  seen.length = 0;
  await db.notes.count();
  assert.match(seen[0]!.traceId, /^[0-9a-f-]{36}$/, 'a trace id is generated when none is given');
  await db.close();
});

test('a call slower than its timeout raises TimeoutError promptly', async () => {
  const driver = slowDriver(2000);
  let answered = false; // with rows or an error
  const query = driver.query.bind(driver);
  driver.query = async (...args) => {
    try {
      return await query(...args);
    } finally {
      answered = true;
    }
  };
  const db = createDatabase({ driver, repositories: { notes } });
  await db.connect();
  try {
    await db.notes.find({}, { timeout: '100ms' });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TimeoutError);
  }
  // Asked of the driver, not of the clock: a loaded machine may run the 100 ms timer late, never after the 2 s one.
  assert.not.ok(answered, 'released before the slow driver answered');
  await db.close();
});

test('an aborted signal raises AbortedError', async () => {
  const db = createDatabase({ driver: slowDriver(1000), repositories: { notes } });
  await db.connect();
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  try {
    await db.notes.find({}, { signal: ac.signal });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, AbortedError);
  }
  const pre = new AbortController();
  pre.abort();
  await db.notes.find({}, { signal: pre.signal }).then(() => assert.unreachable(), (e) => assert.instance(e, AbortedError));
  await db.close();
});

test('secret fields are hashed before storage, never returned, and verified with verifySecret', async () => {
  const driver = memoryDriver();
  const db = createDatabase({ driver, repositories: { notes } });
  await db.connect();
  const n = await db.notes.create({ body: 'x', pin: 'hunter2-unique' });
  assert.not.ok('pin' in n);
  assert.not.ok('pin' in (await db.notes.get(n.id))!);
  assert.not.ok('pin' in (await db.notes.find({}))[0]!);
  const stored = await driver.getByIds(db.schemas.get('notes')!, [n.id], {});
  assert.match(String(stored[0]!.pin), /^scrypt2\$16384\$8\$5\$/);
  assert.not.match(String(stored[0]!.pin), 'hunter2');
  assert.is(await db.notes.verifySecret(n.id, 'pin', 'hunter2-unique'), true);
  assert.is(await db.notes.verifySecret(n.id, 'pin', 'wrong'), false);
  await db.notes.update(n.id, { pin: 'new-pin' });
  assert.is(await db.notes.verifySecret(n.id, 'pin', 'new-pin'), true);
  assert.is(await db.notes.verifySecret(n.id, 'pin', 'hunter2-unique'), false);
  await db.close();
});

test('createdAt is set once; updatedAt and version move on every update', async () => {
  const db = createDatabase({ driver: memoryDriver(), repositories: { notes } });
  await db.connect();
  const n = await db.notes.create({ body: 'a' });
  assert.is(n.version, 1);
  assert.is(n.createdAt.getTime(), n.updatedAt.getTime());
  await new Promise((r) => setTimeout(r, 5));
  const u = await db.notes.update(n.id, { body: 'b' });
  assert.is(u.version, 2);
  assert.is(u.createdAt.getTime(), n.createdAt.getTime());
  assert.ok(u.updatedAt.getTime() > n.updatedAt.getTime());
  await db.close();
});

test('a plugin that needs transactional writes gets an implicit transaction around each write, and its rows roll back with it', async () => {
  const handles: Array<boolean | undefined> = [];
  const outbox: Plugin = {
    name: 'outbox',
    needsTransactionalWrites: true,
    afterCreate: ({ ctx }) => {
      handles.push(ctx.transaction?.implicit);
      if ((ctx.operation as { rows?: Array<{ body?: unknown }> }).rows?.[0]?.body === 'fail') throw new Error('sink refused');
    },
  };
  const db = createDatabase({ driver: memoryDriver(), repositories: { notes }, plugins: [outbox] });
  await db.connect();
  await db.notes.create({ body: 'ok' });
  await db.notes.create({ body: 'fail' }).then(() => assert.unreachable(), (e) => assert.is(e.message, 'sink refused'));
  assert.equal(handles, [true, true]);
  assert.equal((await db.notes.find({})).map((n) => n.body), ['ok'], 'the failed write was rolled back with the plugin');
  await db.close();
});

test('a plugin that asks for a transaction around some writes gets one around those only, and they roll back whole', async () => {
  const handles: Array<[string, boolean | undefined]> = [];
  const splitter: Plugin = {
    name: 'splitter',
    needsTransaction: (op) => op.kind === 'update' && op.target.ids === undefined,
    async around(op, ctx, next) {
      if (op.kind !== 'update' && op.kind !== 'insert') return next(op);
      handles.push([op.kind, ctx.transaction?.implicit]);
      if (op.kind === 'insert' || op.target.ids) return next(op);
      // One write per record, the way a plugin that must see each record would do it; the second one fails.
      const ids = (await next({ kind: 'query', schema: op.schema, query: { where: op.target.where, orderBy: [{ field: 'id', direction: 'asc' }] } })).rows.map((r) => r.id as string);
      const rows = [];
      for (const id of ids) {
        if (id === ids[1] && op.patch.set.body === 'fail') throw new Error('second record refused');
        rows.push(...(await next({ ...op, target: { ids: [id] } })).rows);
      }
      return { rows };
    },
  };
  const db = createDatabase({ driver: memoryDriver(), repositories: { notes }, plugins: [splitter] });
  await db.connect();
  const a = await db.notes.create({ body: 'a' });
  await db.notes.create({ body: 'b' });
  await db.notes.update(a.id, { body: 'a2' });
  await db.notes.updateMany({}, { body: 'fail' }).then(() => assert.unreachable(), (e) => assert.is(e.message, 'second record refused'));
  assert.equal(handles, [['insert', undefined], ['insert', undefined], ['update', undefined], ['update', true]]);
  assert.equal((await db.notes.find({ orderBy: { body: 'asc' } })).map((n) => n.body), ['a2', 'b'], 'the first record rolled back with the second');
  await db.close();
});

test('input rejected by validation reaches onInvalidInput with the caller context, and nothing reaches the onion', async () => {
  const seen: Array<{ repository: string; method: string; actor?: string; paths: string[] }> = [];
  let onionCalls = 0;
  const watcher: Plugin = {
    name: 'watcher',
    onInvalidInput: ({ repository, method, context, error }) => void seen.push({ repository, method, actor: context.actor, paths: error.issues.map((i) => i.path) }),
    around: (op, _ctx, next) => (onionCalls++, next(op)),
  };
  const db = createDatabase({ driver: memoryDriver(), repositories: { notes }, plugins: [watcher] });
  await db.connect();
  await db.withContext({ actor: 'user:9' }, () => db.notes.create({ body: 1 } as never)).catch(() => undefined);
  await db.notes.find({ where: { 'x; drop table notes': 1 } as never }, { actor: 'user:10' }).catch(() => undefined);
  assert.throws(() => db.notes.iterate({ limit: 5 } as never));
  await new Promise((r) => setImmediate(r));
  assert.equal(seen, [
    { repository: 'notes', method: 'create', actor: 'user:9', paths: ['body'] },
    { repository: 'notes', method: 'find', actor: 'user:10', paths: ['where.x; drop table notes'] },
    { repository: 'notes', method: 'iterate', actor: undefined, paths: ['(query)'] },
  ]);
  assert.is(onionCalls, 0);
  await db.close();
});

test('onInvalidInput hears of an iterate() filter naming an unknown field (checked at the call), in a transaction too, and never of a ValidationError raised inside the onion', async () => {
  const seen: Array<{ method: string; paths: string[] }> = [];
  const watcher: Plugin = { name: 'watcher', onInvalidInput: ({ method, error }) => void seen.push({ method, paths: error.issues.map((i) => i.path) }) };
  // A plugin below the watcher that rejects some writes itself: the onion saw that call.
  const refuser: Plugin = {
    name: 'refuser',
    around: (op, _ctx, next) => (op.kind === 'insert' && (op.rows[0] as { body?: unknown }).body === 'refused' ? Promise.reject(new ValidationError([{ path: 'body', message: 'refused below' }])) : next(op)),
  };
  const db = createDatabase({ driver: memoryDriver(), repositories: { notes }, plugins: [watcher, refuser] });
  await db.connect();
  assert.throws(() => db.notes.iterate({ where: { nope: 1 } } as never), (e: Error) => e instanceof ValidationError);
  await db.notes.create({ body: 'refused' }).then(() => assert.unreachable(), (e) => assert.instance(e, ValidationError));
  await db.transaction(async (tx) => {
    await tx.notes.find({ where: { nope: 2 } } as never).then(() => assert.unreachable(), (e) => assert.instance(e, ValidationError));
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(seen, [
    { method: 'iterate', paths: ['where.nope'] },
    { method: 'find', paths: ['where.nope'] },
  ]);
  await db.close();
});

test('onInvalidInput takes the caller context from the options argument only, never from a patch that has an actor or tenant field', async () => {
  const accounts = defineRepository('accounts', { id: f.id(), tenant: f.string(), actor: f.string(), n: f.integer() });
  const seen: Array<{ method: string; actor?: string; tenant?: string }> = [];
  const watcher: Plugin = { name: 'watcher', onInvalidInput: ({ method, context }) => void seen.push({ method, actor: context.actor, tenant: context.tenant }) };
  const db = createDatabase({ driver: memoryDriver(), repositories: { accounts }, plugins: [watcher] });
  await db.connect();
  const a = await db.accounts.create({ tenant: 'acme', actor: 'bot', n: 1 });
  await db.accounts.update(a.id, { tenant: 'evil', actor: 'mallory', n: 'x' } as never).catch(() => undefined);
  await db.accounts.update(a.id, { n: 'x' } as never, { actor: 'user:1', tenant: 't1' }).catch(() => undefined);
  await db.accounts.verifySecret(a.id, 'n' as never, 'c', { actor: 'user:2' }).catch(() => undefined);
  assert.equal(seen, [
    { method: 'update', actor: undefined, tenant: undefined },
    { method: 'update', actor: 'user:1', tenant: 't1' },
    { method: 'verifySecret', actor: 'user:2', tenant: undefined },
  ]);
  await db.close();
});

test.run();
