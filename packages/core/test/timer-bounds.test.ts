import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { MAX_TIMER_MS } from '@chatcore/core/plugin';

// Node.js fires a timer longer than 2^31 - 1 ms after 1 ms: a '30d' timeout used to fail a
// transaction at once with TimeoutError. Such timeouts are refused up front instead.
const items = defineRepository('items', { id: f.id(), name: f.string() });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(defaultTimeout?: string | number) {
  const db = createDatabase({ driver: memoryDriver(), repositories: { items }, ...(defaultTimeout === undefined ? {} : { defaultTimeout }) });
  await db.connect();
  return db;
}

test('a transaction timeout past the longest timer is a ValidationError before the callback runs; nothing is written', async () => {
  const db = await open();
  let ran = false;
  const err = await db
    .transaction(async (tx) => { ran = true; await sleep(20); await tx.items.create({ name: 'x' }); }, { timeout: '40d' })
    .then(() => undefined, (e: unknown) => e);
  assert.instance(err, ValidationError);
  assert.match((err as Error).message, /timeout: at most 2147483647 ms/);
  assert.is(ran, false);
  assert.is(await db.items.count({}), 0);
  await db.close();
});

test('a call timeout past the longest timer is a ValidationError; at the bound the call runs', async () => {
  const db = await open();
  const err = await db.items.create({ name: 'x' }, { timeout: '25d' }).then(() => undefined, (e: unknown) => e);
  assert.instance(err, ValidationError);
  assert.is(await db.items.count({}), 0);
  await db.items.create({ name: 'y' }, { timeout: MAX_TIMER_MS });
  await db.transaction(async (tx) => { await sleep(20); await tx.items.create({ name: 'z' }); }, { timeout: MAX_TIMER_MS });
  assert.is(await db.items.count({}), 2);
  await db.close();
});

test('defaultTimeout past the longest timer is a ConfigError naming it', () => {
  assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { items }, defaultTimeout: '30d' }), (e: Error) => e instanceof ConfigError && /defaultTimeout: at most 2147483647 ms/.test(e.message));
  assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { items }, defaultTimeout: 'soon' }), (e: Error) => e instanceof ConfigError && /defaultTimeout/.test(e.message));
});

test('a defaultTimeout of 24 days still lets a slow transaction finish', async () => {
  const db = await open('24d');
  await db.transaction(async (tx) => { await sleep(20); await tx.items.create({ name: 'slow' }); });
  assert.is(await db.items.count({}), 1);
  await db.close();
});

test.run();
