import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import type { Driver, NormalizedQuery } from '@chatcore/core/driver';
import { memoryDriver } from '@chatcore/core/testing';

const conversations = defineRepository('conversations', { id: f.id(), title: f.string() });
const messages = defineRepository('messages', { id: f.id(), conversationId: f.string(), seq: f.integer() });
const repositories = { conversations, messages };
const relations = defineRelations(repositories, {
  conversations: (r) => ({ messages: r.many('messages', { field: 'conversationId' }), latest: r.one('messages', { targetField: 'conversationId' }) }),
});

/** A driver that states limitPerGroup (FULL_CAPABILITIES) but drops it from every query it runs. */
function ignoringPerGroupLimit(sent: NormalizedQuery[]): Driver {
  const inner = memoryDriver();
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'query') {
        return (schema: never, query: NormalizedQuery, options: never) => {
          sent.push(query);
          const { limitPerGroup: _dropped, ...rest } = query;
          return target.query(schema, rest, options);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A database on that driver with conversations a and b, each with messages 0-3; `sent` starts empty. */
async function seeded() {
  const sent: NormalizedQuery[] = [];
  const db = createDatabase({ driver: ignoringPerGroupLimit(sent), repositories, relations });
  await db.connect();
  const [a, b] = await db.conversations.createMany([{ title: 'a' }, { title: 'b' }]);
  await db.messages.createMany([0, 1, 2, 3].flatMap((seq) => [{ conversationId: a!.id, seq }, { conversationId: b!.id, seq }]));
  sent.length = 0;
  return { db, sent, a: a!, b: b! };
}

test('include with a limit keeps that many per parent even when the driver ignores limitPerGroup', async () => {
  const { db, sent, a, b } = await seeded();
  const list = await db.conversations.find({ orderBy: { title: 'asc' }, include: { messages: { orderBy: { seq: 'desc' }, limit: 2 }, latest: true } });
  assert.equal(sent.map((q) => q.limitPerGroup).filter(Boolean), [{ field: 'conversationId', limit: 2 }, { field: 'conversationId', limit: 1 }], 'the driver was asked for a per-parent limit');
  assert.equal(list.map((c) => [c.title, c.messages.map((m) => m.seq)]), [['a', [3, 2]], ['b', [3, 2]]]);
  assert.equal(list.map((c) => c.latest?.conversationId), [a.id, b.id]);
  await db.close();
});

test('a parent\'s rows keep its first n whether the driver returns them together or apart', async () => {
  const { db, a, b } = await seeded();
  // Ordered by parent first, each parent's rows come one after the other; by seq alone they alternate.
  const together = await db.conversations.find({ orderBy: { title: 'asc' }, include: { messages: { orderBy: { conversationId: 'asc', seq: 'desc' }, limit: 3 } } });
  const apart = await db.conversations.find({ orderBy: { title: 'asc' }, include: { messages: { orderBy: { seq: 'asc' }, limit: 3 } } });
  assert.equal(together.map((c) => [c.id, c.messages.map((m) => [m.conversationId, m.seq])]), [
    [a.id, [[a.id, 3], [a.id, 2], [a.id, 1]]], [b.id, [[b.id, 3], [b.id, 2], [b.id, 1]]],
  ]);
  assert.equal(apart.map((c) => [c.id, c.messages.map((m) => [m.conversationId, m.seq])]), [
    [a.id, [[a.id, 0], [a.id, 1], [a.id, 2]]], [b.id, [[b.id, 0], [b.id, 1], [b.id, 2]]],
  ]);
  await db.close();
});

test('one parent: its per-parent limit is a plain limit on an equality filter', async () => {
  const { db, sent, a } = await seeded();
  const got = await db.conversations.get(a.id, { include: { messages: { orderBy: { seq: 'desc' }, limit: 2 }, latest: true } });
  assert.equal(got?.messages.map((m) => [m.conversationId, m.seq]), [[a.id, 3], [a.id, 2]]);
  assert.is(got?.latest?.conversationId, a.id);
  const related = sent.filter((q) => q.where?.kind === 'cmp' && q.where.field === 'conversationId');
  assert.equal(related.map((q) => [q.limitPerGroup, q.limit, q.where]), [
    [undefined, 2, { kind: 'cmp', field: 'conversationId', op: 'eq', value: a.id }],
    [undefined, 1, { kind: 'cmp', field: 'conversationId', op: 'eq', value: a.id }],
  ]);
  await db.close();
});

test.run();
