import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createDatabase, ValidationError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { pglite } from '@chatcore/pglite';
import type { CachePlugin } from '@chatcore/cache';
import { countingDriver } from './helpers/counting-driver.js';
import { auditedOnion } from './helpers/audited-onion.js';
import { highEntropy } from './helpers/keys.js';
import { scenarioRepos } from './helpers/plaintext-scenario.js';

// The standard onion with the real plugins: audit outermost, encryption, the cache next to the driver.
await requireService('redis');
const namespace = `auditcache${randomBytes(4).toString('hex')}`;
const { people, chats } = scenarioRepos(`ac${randomBytes(3).toString('hex')}`);
const { driver, calls } = countingDriver(pglite());
// Every repository cached, an in-process tier of one entry: a read of another key sends the next one to Redis.
const onion = auditedOnion({ namespace, localMaxEntries: 1 });
const db = createDatabase({
  driver,
  repositories: { people, chats },
  plugins: onion.plugins,
});
await db.connect();

/** The read events audit recorded since the last call: [method, cache, cacheTier]. */
async function reads(): Promise<Array<[unknown, unknown, unknown]>> {
  return (await onion.readEvents()).map((e) => [e.method, e.cache, e.cacheTier]);
}

/** Runs a read and returns its result and how many driver calls it made. */
async function counted<T>(read: () => Promise<T>): Promise<[T, number]> {
  const before = calls();
  const value = await read();
  return [value, calls() - before];
}

test('audit records a first read as a miss, a repeat as a hit from its tier, and a read after a write as a miss again', async () => {
  const ssn = highEntropy('ssn');
  const a = await db.people.create({ name: 'a', email: `${highEntropy('e')}@a.io`, ssn });
  const b = await db.people.create({ name: 'b', email: `${highEntropy('e')}@b.io` });
  await reads();

  const [first, firstCalls] = await counted(() => db.people.get(a.id));
  const [again, againCalls] = await counted(() => db.people.get(a.id));
  assert.is(first!.ssn, ssn);
  assert.equal(again, first, 'the hit went back up through decryption');
  assert.equal([firstCalls, againCalls], [1, 0]);
  assert.equal(await reads(), [['get', 'miss', undefined], ['get', 'hit', 'local']]);

  // b takes the only in-process entry; a is then answered by Redis.
  await db.people.get(b.id);
  const [fromRedis, redisCalls] = await counted(() => db.people.get(a.id));
  assert.is(fromRedis!.ssn, ssn);
  assert.is(redisCalls, 0);
  assert.equal(await reads(), [['get', 'miss', undefined], ['get', 'hit', 'shared']]);

  const ssn2 = highEntropy('ssn');
  await db.people.update(a.id, { ssn: ssn2 });
  const [afterWrite, afterWriteCalls] = await counted(() => db.people.get(a.id));
  assert.is(afterWrite!.ssn, ssn2);
  assert.is(afterWriteCalls, 1);
  await db.people.get(a.id);
  assert.equal(await reads(), [['get', 'miss', undefined], ['get', 'hit', 'local']]);
});

test('queries by an encrypted field, counts and getMany are recorded the same way', async () => {
  const email = `${highEntropy('e')}@q.io`;
  const p = await db.people.create({ name: 'q', email });
  const q = await db.people.create({ name: 'r', email: `${highEntropy('e')}@r.io` });
  await reads();
  assert.is((await db.people.findOne({ where: { email } }))!.id, p.id);
  assert.is((await db.people.findOne({ where: { email } }))!.id, p.id);
  const total = await db.people.count({});
  assert.is(await db.people.count({}), total);
  assert.equal((await db.people.getMany([p.id, q.id])).map((r) => r.id), [p.id, q.id]);
  assert.equal((await db.people.getMany([p.id, q.id])).map((r) => r.email), [email, q.email]);
  assert.equal(await reads(), [
    ['findOne', 'miss', undefined], ['findOne', 'hit', 'local'],
    ['count', 'miss', undefined], ['count', 'hit', 'local'],
    // One in-process entry: the second getMany finds its ids in Redis.
    ['getMany', 'miss', undefined], ['getMany', 'hit', 'shared'],
  ]);
  await db.people.create({ name: 's', email: `${highEntropy('e')}@s.io` });
  assert.is(await db.people.count({}), total + 1);
  assert.is((await db.people.findOne({ where: { email } }))!.id, p.id);
  assert.equal(await reads(), [['count', 'miss', undefined], ['findOne', 'miss', undefined]]);
});

test('reads inside a transaction are misses: the cache neither serves nor fills them', async () => {
  const p = await db.people.create({ name: 't', email: `${highEntropy('e')}@t.io` });
  await db.people.get(p.id);
  await reads();
  await db.transaction(async (tx) => {
    await tx.people.get(p.id);
  });
  assert.equal(await reads(), [['get', 'miss', undefined]]);
  assert.ok(db.plugin<CachePlugin>('cache')!.stats().repositories[people.schema.name]!.local.bypasses >= 1);
});

test('aggregates pass the onion: counts of encrypted fields work, other measures on them are refused with nothing sent, audit records each call and the cache serves a repeat', async () => {
  const tag = highEntropy('n');
  await db.people.createMany([
    { name: tag, email: `${highEntropy('e')}@x.io`, ssn: highEntropy('s'), salary: 10n },
    { name: tag, email: `${highEntropy('e')}@y.io`, salary: 5n },
    { name: tag, email: `${highEntropy('e')}@z.io` },
  ]);
  await reads();
  const [counts, countCalls] = await counted(() => db.people.aggregate({ where: { name: tag }, groupBy: ['name'], count: ['_all', 'ssn', 'salary'] }));
  assert.equal(counts, [{ group: { name: tag }, count: { _all: 3, ssn: 1, salary: 2 }, sum: {}, avg: {}, min: {}, max: {} }]);
  assert.is(countCalls, 1);
  const [again, againCalls] = await counted(() => db.people.aggregate({ where: { name: tag }, groupBy: ['name'], count: ['_all', 'ssn', 'salary'] }));
  assert.equal(again, counts);
  assert.is(againCalls, 0, 'a repeated aggregate is served by the cache');
  for (const bad of [{ sum: ['salary'] }, { max: ['salary'] }, { groupBy: ['email'], count: ['_all'] }]) {
    const [error, calls] = await counted(() => db.people.aggregate(bad as never).then(() => undefined, (e: unknown) => e));
    assert.instance(error, ValidationError, JSON.stringify(bad));
    assert.is(calls, 0, `nothing sent for ${JSON.stringify(bad)}`);
  }
  const events = await reads();
  assert.equal(events.filter(([m]) => m === 'aggregate'), [['aggregate', 'miss', undefined], ['aggregate', 'hit', 'local']]);
  await db.people.create({ name: tag, email: `${highEntropy('e')}@w.io` });
  const [after, afterCalls] = await counted(() => db.people.aggregate({ where: { name: tag }, groupBy: ['name'], count: ['_all', 'ssn', 'salary'] }));
  assert.is(afterCalls, 1, 'a write invalidates the cached aggregate');
  assert.is(after[0]!.count._all, 4);
});

test('substring, case-insensitive and array filters and distinct on encrypted fields are refused with ValidationError, nothing sent', async () => {
  for (const query of [
    { where: { ssn: { contains: '12' } } },
    { where: { email: { endsWith: '@x.io' } } },
    { where: { email: { eq: 'A@X.IO', mode: 'insensitive' } } },
    { distinct: ['email'] },
  ]) {
    const [error, calls] = await counted(() => db.people.find(query as never).then(() => undefined, (e: unknown) => e));
    assert.instance(error, ValidationError, JSON.stringify(query));
    assert.is(calls, 0, `nothing sent for ${JSON.stringify(query)}`);
  }
});

test.after(async () => {
  await db.plugin<CachePlugin>('cache')!.clear();
  await db.close();
});
test.run();
