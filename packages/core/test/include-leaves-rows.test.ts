import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { memoryDriver } from '@chatcore/core/testing';

const conversations = defineRepository('conversations', { id: f.id(), title: f.string() });
const messages = defineRepository('messages', { id: f.id(), conversationId: f.string(), seq: f.integer() });
const repositories = { conversations, messages };
const relations = defineRelations(repositories, {
  conversations: (r) => ({ messages: r.many('messages', { field: 'conversationId' }), latest: r.one('messages', { targetField: 'conversationId' }) }),
});

test('include sets relations on its own copies: the rows a plugin saw keep their fields only', async () => {
  const seen: Array<Record<string, unknown>> = [];
  const keeper: Plugin = { name: 'keeper', afterRead: ({ op, result }) => { if (op.schema.name === 'conversations') seen.push(...result.rows); } };
  const db = createDatabase({ driver: memoryDriver(), repositories, relations, plugins: [keeper] });
  await db.connect();
  const [a, b] = await db.conversations.createMany([{ title: 'a' }, { title: 'b' }]);
  await db.messages.createMany([0, 1, 2].flatMap((seq) => [{ conversationId: a!.id, seq }, { conversationId: b!.id, seq }]));
  const list = await db.conversations.find({ orderBy: { title: 'asc' }, include: { messages: { orderBy: { seq: 'desc' }, limit: 2 }, latest: true } });
  assert.equal(list.map((c) => [c.title, c.messages.map((m) => m.seq), c.latest?.conversationId]), [['a', [2, 1], a!.id], ['b', [2, 1], b!.id]]);
  assert.equal(seen.map((r) => Object.keys(r).sort()), [['id', 'title'], ['id', 'title']], 'the plugin\'s rows carry no relation');
  await db.close();
});

test.run();
