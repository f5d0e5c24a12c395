import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, TransactionError } from '@chatcore/core';
import { pglite } from '../src/index.js';
import { shared } from './helpers/shared-pglite.js';

const users = defineRepository('users', { id: f.id(), name: f.string(), version: f.version() });
const driver = pglite({ client: shared });
const db = createDatabase({ driver, repositories: { users } });
await db.connect();

test('a query on db instead of tx inside a transaction raises TransactionError within a second instead of hanging', async () => {
  const ada = await db.users.create({ name: 'Ada' });
  const started = performance.now();
  let caught: unknown;
  await db.transaction(async (tx) => {
    await tx.users.update(ada.id, { name: 'Ada L.' });
    try {
      await db.users.get(ada.id);
    } catch (err) {
      caught = err;
    }
  }).catch(() => undefined);
  const elapsed = performance.now() - started;
  assert.instance(caught, TransactionError);
  assert.match((caught as Error).message, 'tx');
  assert.ok(elapsed < 1000, `took ${elapsed} ms`);
});

test('a nested db.transaction() from inside a transaction is refused the same way; tx.transaction() works', async () => {
  const outcome = await db.transaction(async (tx) => {
    const viaRoot = await db.transaction(async () => 'no').catch((err: unknown) => err);
    const viaTx = await tx.transaction(async (inner) => (await inner.users.create({ name: 'Nested' })).name);
    return { viaRoot, viaTx };
  });
  assert.instance(outcome.viaRoot, TransactionError);
  assert.is(outcome.viaTx, 'Nested');
  assert.is(await db.users.count({ name: 'Nested' }), 1);
});

test('queries from other async contexts wait for the open transaction and then run', async () => {
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const tx = db.transaction(async (t) => {
    await t.users.create({ name: 'Waiting' });
    entered();
    await gate;
    order.push('commit');
  });
  await inside;
  const outside = db.users.count({ name: 'Waiting' }).then((n) => { order.push('read'); return n; });
  await new Promise((r) => setTimeout(r, 50));
  release();
  await tx;
  assert.is(await outside, 1, 'the waiting read sees the committed row');
  assert.equal(order, ['commit', 'read']);
});

test('escape-hatch queries from another context queue behind the open transaction instead of running inside it', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const tx = db.transaction(async (t) => {
    await t.users.create({ name: 'Hatch' });
    entered();
    await gate;
    throw new Error('roll back');
  }).catch(() => 'rolled back');
  await inside;
  const k = driver.kysely<{ users: typeof users }>();
  const seen = k.selectFrom('users').select('name').where('name', '=', 'Hatch').execute();
  await new Promise((r) => setTimeout(r, 50));
  release();
  assert.is(await tx, 'rolled back');
  assert.equal(await seen, [], 'the rolled-back row was never visible to the escape hatch');
});

test('health reports degraded, not a hang, while a long transaction holds the connection', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const tx = db.transaction(async () => { entered(); await gate; });
  await inside;
  const health = await driver.health();
  release();
  await tx;
  assert.is(health.status, 'degraded');
  assert.is((await driver.health()).status, 'up');
});

test('the Kysely escape hatch inside the callback raises TransactionError from the executor instead of hanging', async () => {
  const k = driver.kysely<{ users: typeof users }>();
  const outcome = await db.transaction(async (tx) => {
    await tx.users.create({ name: 'Hatch inside' });
    const raw = await k.selectFrom('users').select('name').execute().catch((err: unknown) => err);
    return { raw, viaTx: await tx.users.count({ name: 'Hatch inside' }) };
  }, { timeout: '30s' });
  assert.instance(outcome.raw, TransactionError);
  assert.match((outcome.raw as Error).message, 'escape hatch');
  assert.is(outcome.viaTx, 1);
});

test('a leaked tx handle raises TransactionError after commit instead of writing in autocommit', async () => {
  let leaked: Parameters<Parameters<typeof db.transaction>[0]>[0] | undefined;
  await db.transaction(async (tx) => {
    leaked = tx;
  });
  const outcome = await leaked!.users.create({ name: 'Leaked' }).catch((err: unknown) => err);
  assert.instance(outcome, TransactionError);
  assert.is(await db.users.count({ name: 'Leaked' }), 0);
});

test('after a transaction ends, work started inside it may use db again', async () => {
  let later: Promise<number> | undefined;
  await db.transaction(async () => {
    later = new Promise((r) => setTimeout(r, 20)).then(() => db.users.count());
  });
  assert.type(await later!, 'number');
});

test.after(async () => {
  await db.close();
  await shared.close();
});

test.run();
