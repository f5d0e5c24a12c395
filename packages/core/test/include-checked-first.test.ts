import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f, ValidationError } from '@chatcore/core';
import type { Driver } from '@chatcore/core/driver';
import { memoryDriver } from '@chatcore/core/testing';

// A wrong include is refused before the first read of the call, at every level and with no
// parent to load for, with the related repository's own find messages under the include path.
const users = defineRepository('users', { id: f.id(), name: f.string() });
const conversations = defineRepository('conversations', { id: f.id(), userId: f.string(), title: f.string() });
const messages = defineRepository('messages', { id: f.id(), conversationId: f.string(), authorId: f.string(), seq: f.integer() });
const repositories = { users, conversations, messages };
const relations = defineRelations(repositories, {
  conversations: (r) => ({ user: r.one('users', { field: 'userId' }), messages: r.many('messages', { field: 'conversationId' }) }),
  messages: (r) => ({ author: r.one('users', { field: 'authorId' }) }),
  users: (r) => ({ conversations: r.many('conversations', { field: 'userId' }) }),
});

/** The memory driver, with every read it serves recorded as `method:repository`. */
function readCountingDriver(reads: string[]): Driver {
  const inner = memoryDriver();
  return new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== 'query' && prop !== 'getByIds' && prop !== 'count' && prop !== 'aggregate') return value.bind(target);
      return (schema: { name: string }, ...rest: unknown[]) => {
        reads.push(`${String(prop)}:${schema.name}`);
        return (value as (...a: unknown[]) => unknown).call(target, schema, ...rest);
      };
    },
  });
}

async function open(seed: boolean) {
  const reads: string[] = [];
  const db = createDatabase({ driver: readCountingDriver(reads), repositories, relations });
  await db.connect();
  let conversationId = 'none';
  if (seed) {
    const ada = await db.users.create({ name: 'ada' });
    const c = await db.conversations.create({ userId: ada.id, title: 't' });
    await db.messages.create({ conversationId: c.id, authorId: ada.id, seq: 1 });
    conversationId = c.id;
  }
  reads.length = 0;
  return { db, reads, conversationId };
}

const seeded = await open(true);
const empty = await open(false);

/** The issues of the ValidationError `call` rejects with, checking nothing was read first. */
async function issuesOf(call: () => Promise<unknown>, reads: string[]): Promise<Array<{ path: string; message: string }>> {
  reads.length = 0;
  try {
    await call();
  } catch (error) {
    assert.instance(error, ValidationError);
    assert.equal(reads, [], 'nothing was read before the error');
    return (error as ValidationError).issues.map((i) => ({ path: i.path, message: i.message }));
  }
  assert.unreachable('the include was accepted');
  return [];
}

/** The message the messages repository's own find gives for `query`. */
async function findMessage(query: unknown): Promise<string> {
  const issues = await issuesOf(() => seeded.db.messages.find(query as never), seeded.reads);
  assert.is(issues.length, 1);
  return issues[0]!.message;
}

const cases: Array<[string, Record<string, unknown>, string, unknown]> = [
  ['a nested where field', { messages: { where: { nope: 'x' } } }, 'include.messages.where.nope', { where: { nope: 'x' } }],
  ['a nested where value', { messages: { where: { seq: { gt: 'x' } } } }, 'include.messages.where.seq.gt', { where: { seq: { gt: 'x' } } }],
  ['a nested orderBy field', { messages: { orderBy: { nope: 'asc' } } }, 'include.messages.orderBy.nope', { orderBy: { nope: 'asc' } }],
  ['a nested select field', { messages: { select: ['nope'] } }, 'include.messages.select[0]', { select: ['nope'] }],
  ['a nested limit', { messages: { limit: 0 } }, 'include.messages.limit', { limit: 0 }],
  ['a negative nested limit', { messages: { limit: -1 } }, 'include.messages.limit', { limit: -1 }],
  ['an empty nested select', { messages: { select: [] } }, 'include.messages.select', { select: [] }],
  ['an empty select of a one relation', { user: { select: [] } }, 'include.user.select', undefined],
  ['a where two levels down', { messages: { include: { author: { where: { nope: 1 } } } } }, 'include.messages.include.author.where.nope', undefined],
  ['an orderBy two levels down', { user: { include: { conversations: { orderBy: { nope: 'desc' } } } } }, 'include.user.include.conversations.orderBy.nope', undefined],
  ['a select two levels down', { messages: { include: { author: { select: ['nope'] } } } }, 'include.messages.include.author.select[0]', undefined],
];

for (const [label, include, path, direct] of cases) {
  test(`${label} is refused before anything is read, under its include path`, async () => {
    for (const { db, reads } of [seeded, empty]) {
      const issues = await issuesOf(() => db.conversations.find({ include } as never), reads);
      assert.equal(issues.map((i) => i.path), [path]);
      if (direct !== undefined) assert.is(issues[0]!.message, await findMessage(direct), 'the message of the repository\'s own find');
    }
  });
}

test('an unknown relation is refused before anything is read, at either level', async () => {
  for (const { db, reads } of [seeded, empty]) {
    const top = await issuesOf(() => db.conversations.find({ include: { chats: true } } as never), reads);
    assert.equal(top.map((i) => i.path), ['include.chats']);
    const nested = await issuesOf(() => db.conversations.find({ include: { messages: { include: { nope: true } } } } as never), reads);
    assert.equal(nested.map((i) => i.path), ['include.messages.include.nope']);
  }
});

test('get, getMany and findOne check their include before their own read too', async () => {
  const include = { messages: { where: { nope: 'x' } } };
  const { db, reads, conversationId } = seeded;
  for (const call of [
    () => db.conversations.get(conversationId, { include } as never),
    () => db.conversations.getMany([conversationId], { include } as never),
    () => db.conversations.findOne({ include } as never),
    () => db.conversations.findPage({ include } as never),
  ]) assert.equal((await issuesOf(call, reads)).map((i) => i.path), ['include.messages.where.nope']);
});

test('every wrong option of the tree is reported in one error', async () => {
  const include = { user: { select: ['nope'] }, messages: { orderBy: { nope: 'asc' }, include: { author: { where: { nope: 1 } } } } };
  const issues = await issuesOf(() => seeded.db.conversations.find({ include } as never), seeded.reads);
  assert.equal(issues.map((i) => i.path), ['include.user.select[0]', 'include.messages.orderBy.nope', 'include.messages.include.author.where.nope']);
});

test('a valid include still reads, and a null where means every record, as in find', async () => {
  const { db, conversationId } = seeded;
  const got = await db.conversations.get(conversationId, { include: { messages: { where: null, orderBy: { seq: 'asc' }, include: { author: { select: ['name'] } } } } } as never);
  assert.equal((got as unknown as { messages: Array<{ seq: number; author: { name: string } }> }).messages.map((m) => [m.seq, m.author.name]), [[1, 'ada']]);
});

test('a where as deep as the repository\'s own find takes reads the same in an include', async () => {
  const { db, conversationId } = seeded;
  let where: Record<string, unknown> = { seq: 1 };
  for (let i = 0; i < 16; i++) where = { and: [where] };
  assert.is((await db.messages.find({ where })).length, 1, 'the deepest where find takes');
  for (const limit of [undefined, 1]) {
    const got = await db.conversations.get(conversationId, { include: { messages: { where, limit } } } as never);
    assert.equal((got as unknown as { messages: Array<{ seq: number }> }).messages.map((m) => m.seq), [1]);
    const withKey = await db.conversations.find({ include: { messages: { where: { conversationId, ...where } } } } as never);
    assert.equal((withKey as unknown as Array<{ messages: Array<{ seq: number }> }>)[0]!.messages.map((m) => m.seq), [1], 'a where that names the key field too');
  }
});

test.after(async () => {
  await seeded.db.close();
  await empty.db.close();
});

test.run();
