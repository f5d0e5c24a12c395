import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { cache, type CacheOptions } from '../src/index.js';
import { instrument, randomNamespace, TABLE_SUFFIX, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';
import { PG_URL } from './helpers/coherence-suite.js';

// A many-to-many include with a per-parent limit reads the target repository
// through the join repository in one query. The cache keeps that query under
// the target and drops it when either repository changes: in this process,
// in another process on the same Redis, also one that declares no relations.
// With the join repository not cached, the query is not cached either.
await requireService('redis');
await requireService('postgres');

const groups = defineRepository('groups', { id: f.id(), name: f.string() }, { table: `through_groups_${TABLE_SUFFIX}` });
const people = defineRepository('people', { id: f.id(), rank: f.integer() }, { table: `through_people_${TABLE_SUFFIX}` });
const members = defineRepository('members', { id: f.id(), groupId: f.string().indexed(), personId: f.string().indexed() }, { table: `through_members_${TABLE_SUFFIX}` });
const repositories = { groups, people, members };
const relations = defineRelations(repositories, {
  groups: (r) => ({ people: r.many('people', { through: 'members', field: 'groupId', targetField: 'personId' }) }),
});
const include = { people: { orderBy: { rank: 'desc' as const }, limit: 2 } };

/** A database on the shared PostgreSQL with the cache on Redis; its driver counts the reads that reach it. */
async function open(namespace: string, options: Partial<CacheOptions> = {}, withRelations = true) {
  const counted = instrument(postgres({ url: PG_URL, poolSize: 2 }));
  const plugin = cache({ redisUrl: 'redis://127.0.0.1:6379', redisTimeout: TEST_REDIS_TIMEOUT, namespace, ...options });
  const db = createDatabase({ driver: counted.driver, repositories, ...(withRelations ? { relations } : {}), plugins: [plugin] });
  await db.connect();
  return { db, plugin, reads: () => counted.reads.query + counted.reads.getByIds };
}

const namespace = randomNamespace('through');
const a = await open(namespace);
const b = await open(namespace);
const group = await a.db.groups.create({ name: 'g' });
const persons = await a.db.people.createMany([1, 2, 3, 4].map((rank) => ({ rank })));
await a.db.members.createMany(persons.slice(0, 2).map((p) => ({ groupId: group.id, personId: p.id })));
const ranks = async (db: typeof a.db) => (await db.groups.get(group.id, { include }))!.people.map((p) => p.rank);

/** Wait until `check` holds (another process hears an invalidation over the bus within milliseconds). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > until) assert.unreachable(what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a repeated limited include reads nothing below the cache: the target query is served by it', async () => {
  assert.equal(await ranks(a.db), [2, 1]);
  const before = a.reads();
  assert.equal(await ranks(a.db), [2, 1]);
  assert.is(a.reads() - before, 0);
  assert.not.ok(a.plugin.stats().repositories[people.name]?.local.bypasses, 'no bypass of the through query');
});

test('a link written in another process is seen here: the join write moves the target query', async () => {
  assert.equal(await ranks(b.db), [2, 1]); // b's tiers hold it too
  const link = await a.db.members.create({ groupId: group.id, personId: persons[3]!.id });
  assert.equal(await ranks(a.db), [4, 2], 'the writer');
  await eventually(async () => (await ranks(b.db))[0] === 4, 'the other process never saw the new link');
  assert.equal(await ranks(b.db), [4, 2]);
  await b.db.members.delete(link.id);
  await eventually(async () => (await ranks(a.db))[0] === 2, 'the writer process never saw the removed link');
  assert.equal(await ranks(a.db), [2, 1]);
});

test('a link written in a transaction moves the target query at commit, and a rolled-back one never', async () => {
  const rolledBack = await a.db.transaction(async (tx) => {
    await tx.members.create({ groupId: group.id, personId: persons[2]!.id });
    throw new Error('roll back');
  }).catch((e: Error) => e.message);
  assert.is(rolledBack, 'roll back');
  assert.equal(await ranks(a.db), [2, 1]);
  await a.db.transaction(async (tx) => {
    await tx.members.create({ groupId: group.id, personId: persons[2]!.id });
  });
  assert.equal(await ranks(a.db), [3, 2]);
});

test('a link written by a process without relations is seen here, from either tier', async () => {
  // The writer cannot know that a query of people reads members: only the members' own counters move.
  const writer = await open(namespace, {}, false);
  const sharedOnly = await open(namespace, { local: false });
  try {
    assert.equal(await ranks(a.db), [3, 2]);
    assert.equal(await ranks(sharedOnly.db), [3, 2]);
    const before = sharedOnly.reads();
    assert.equal(await ranks(sharedOnly.db), [3, 2]);
    assert.is(sharedOnly.reads() - before, 0, 'served by the shared tier');
    const link = await writer.db.members.create({ groupId: group.id, personId: persons[3]!.id });
    assert.equal(await ranks(sharedOnly.db), [4, 3], 'the shared entry depends on the join repository');
    await eventually(async () => (await ranks(a.db))[0] === 4, 'the in-process entry outlived the link write');
    assert.equal(await ranks(a.db), [4, 3]);
    await writer.db.members.delete(link.id);
    assert.equal(await ranks(sharedOnly.db), [3, 2]);
    await eventually(async () => (await ranks(a.db))[0] === 3, 'the in-process entry outlived the link delete');
  } finally {
    await Promise.all([writer.db.close(), sharedOnly.db.close()]);
  }
});

test('with the join repository not cached, the target query is not cached either', async () => {
  const c = await open(randomNamespace('through'), { repositories: { members: false } });
  try {
    assert.equal(await ranks(c.db), [3, 2]);
    const before = c.reads();
    assert.equal(await ranks(c.db), [3, 2]);
    assert.is(c.reads() - before, 2, 'the target query and the join rows are read again');
    assert.ok(c.plugin.stats().repositories[people.name]!.local.bypasses >= 2, 'bypassed as a join');
    const link = await c.db.members.create({ groupId: group.id, personId: persons[3]!.id });
    assert.equal(await ranks(c.db), [4, 3]);
    await c.db.members.delete(link.id);
    assert.equal(await ranks(c.db), [3, 2]);
  } finally {
    await c.db.close();
  }
});

test('two different limits or parents are two entries', async () => {
  const other = await a.db.groups.create({ name: 'h' });
  await a.db.members.create({ groupId: other.id, personId: persons[0]!.id });
  const one = await a.db.groups.get(group.id, { include: { people: { orderBy: { rank: 'desc' }, limit: 1 } } });
  const two = await a.db.groups.get(group.id, { include });
  const theOther = await a.db.groups.get(other.id, { include });
  assert.equal(one!.people.map((p) => p.rank), [3]);
  assert.equal(two!.people.map((p) => p.rank), [3, 2]);
  assert.equal(theOther!.people.map((p) => p.rank), [1]);
});

test.after(async () => {
  for (const key of ['members', 'people', 'groups'] as const) await a.db[key].deleteMany({});
  await Promise.all([a.db.close(), b.db.close()]);
});
test.run();
