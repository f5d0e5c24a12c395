import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import type { Driver, NormalizedQuery } from '@chatcore/core/driver';
import type { Plugin, RepositorySchema } from '@chatcore/core/plugin';
import { memoryDriver } from '@chatcore/core/testing';

// Which path a many-to-many include with a limit takes, and what the join repository's plugins decide.
const conversations = defineRepository('conversations', { id: f.id(), title: f.string() });
const tags = defineRepository('tags', { id: f.id(), label: f.string() });
const links = defineRepository('links', { id: f.id(), conversationId: f.string(), tagId: f.string(), hidden: f.boolean() });
const repositories = { conversations, tags, links };
const relations = defineRelations(repositories, {
  conversations: (r) => ({ tags: r.many('tags', { through: 'links', field: 'conversationId', targetField: 'tagId' }) }),
});

/** The memory driver, recording the `through` of every query it is sent. */
function recording(sent: Array<NormalizedQuery['through']>): Driver {
  const inner = memoryDriver();
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'query') {
        return (schema: never, query: NormalizedQuery, options: never) => {
          sent.push(query.through);
          return target.query(schema, query, options);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function seeded(plugins: Plugin[]) {
  const sent: Array<NormalizedQuery['through']> = [];
  const db = createDatabase({ driver: recording(sent), repositories, relations, plugins });
  await db.connect();
  const [c] = await db.conversations.createMany([{ title: 'c' }]);
  const ts = await db.tags.createMany(['a', 'b', 'c', 'd'].map((label) => ({ label })));
  await db.links.createMany(ts.map((t, i) => ({ conversationId: c!.id, tagId: t.id, hidden: i === 1 })));
  sent.length = 0;
  return { db, c: c!, sent };
}

/** A plugin of the join repository that withholds hidden join rows (as soft delete or a tenant filter would). */
const withhold: Plugin = {
  name: 'withhold-hidden-links',
  async around(op, _ctx, next) {
    const result = await next(op);
    return op.schema.name === 'links' ? { ...result, rows: result.rows.filter((r) => r.hidden !== true) } : result;
  },
};

test('a target whose join row a plugin of the join repository withholds is left out, and the next one takes its place', async () => {
  const { db, c, sent } = await seeded([withhold]);
  const got = await db.conversations.get(c.id, { include: { tags: { orderBy: { label: 'asc' }, limit: 3 } } });
  assert.equal(got?.tags.map((t) => t.label), ['a', 'c', 'd'], "'b' is linked by a withheld join row");
  assert.equal(sent.filter((t) => t !== undefined).map((t) => t!.limit), [3, 6], 'read again with twice the limit, once');
  const two = await db.conversations.get(c.id, { include: { tags: { orderBy: { label: 'asc' }, limit: 1 } } });
  assert.equal(two?.tags.map((t) => t.label), ['a'], 'no withheld row among the first: one read');
  await db.close();
});

test('a target linked twice, whose first join row is withheld, is kept through its other join row', async () => {
  const { db, c, sent } = await seeded([withhold]);
  const b = (await db.tags.find({ where: { label: 'b' } }))[0]!;
  // 'b' is linked by a hidden join row (created first, so the through query names it) and now by a visible one.
  await db.links.create({ conversationId: c.id, tagId: b.id, hidden: false });
  const counted = await db.conversations.get(c.id, { include: { tags: { orderBy: { label: 'asc' }, limit: 3 } } });
  assert.equal(counted?.tags.map((t) => t.label), ['a', 'b', 'c'], "'b' is linked by its visible join row");
  assert.equal(sent.filter((t) => t !== undefined).map((t) => t!.limit), [3], 'no second read: nothing was left short');
  // Without the visible duplicate, 'b' is hidden again (the same answer as reading every link).
  await db.links.deleteMany({ tagId: b.id, hidden: false });
  const hidden = await db.conversations.get(c.id, { include: { tags: { orderBy: { label: 'asc' }, limit: 3 } } });
  assert.equal(hidden?.tags.map((t) => t.label), ['a', 'c', 'd']);
  await db.close();
});

test('a join key field a plugin stores other than in clear keeps the path that reads every link', async () => {
  const rewrites: Plugin = {
    name: 'stores-tag-id-its-way',
    extendSchema: (schemas) => schemas.map((s): RepositorySchema => (s.name !== 'links' ? s : {
      ...s, fields: { ...s.fields, tagId: { ...s.fields.tagId!, storedAs: 'custom' } },
    })),
  };
  const { db, c, sent } = await seeded([rewrites]);
  const got = await db.conversations.get(c.id, { include: { tags: { orderBy: { label: 'desc' }, limit: 2 } } });
  assert.equal(sent.filter((t) => t !== undefined), [], 'no through query was sent');
  assert.equal(got?.tags.map((t) => t.label), ['d', 'c']);
  await db.close();
});

test('without a limit, the include reads every link and needs no through query', async () => {
  const { db, c, sent } = await seeded([]);
  const got = await db.conversations.get(c.id, { include: { tags: { orderBy: { label: 'asc' } } } });
  assert.equal(sent.filter((t) => t !== undefined), []);
  assert.equal(got?.tags.map((t) => t.label), ['a', 'b', 'c', 'd']);
  await db.close();
});

test('relations nested under a limited many-to-many include reach the returned records', async () => {
  const owners = defineRepository('owners', { id: f.id(), name: f.string() });
  const labels = defineRepository('labels', { id: f.id(), label: f.string(), ownerId: f.string() });
  const notes = defineRepository('notes', { id: f.id(), labelId: f.string(), text: f.string() });
  const chats = defineRepository('chats', { id: f.id(), title: f.string() });
  const pins = defineRepository('pins', { id: f.id(), chatId: f.string(), labelId: f.string() });
  const repos = { owners, labels, notes, chats, pins };
  const rels = defineRelations(repos, {
    chats: (r) => ({ labels: r.many('labels', { through: 'pins', field: 'chatId', targetField: 'labelId' }) }),
    labels: (r) => ({ owner: r.one('owners', { field: 'ownerId' }), notes: r.many('notes', { field: 'labelId' }), chats: r.many('chats', { through: 'pins', field: 'labelId', targetField: 'chatId' }) }),
  });
  const db = createDatabase({ driver: memoryDriver(), repositories: repos, relations: rels });
  await db.connect();
  const [ann, bob] = await db.owners.createMany([{ name: 'ann' }, { name: 'bob' }]);
  const [x, y] = await db.chats.createMany([{ title: 'x' }, { title: 'y' }]);
  const ls = await db.labels.createMany(['a', 'b', 'c'].map((label, i) => ({ label, ownerId: (i % 2 ? bob : ann)!.id })));
  await db.notes.createMany(ls.map((l) => ({ labelId: l.id, text: `on ${l.label}` })));
  await db.pins.createMany([...ls.map((l) => ({ chatId: x!.id, labelId: l.id })), { chatId: y!.id, labelId: ls[2]!.id }]);
  const got = await db.chats.find({
    orderBy: { title: 'asc' },
    include: { labels: { orderBy: { label: 'desc' }, limit: 2, include: { owner: true, notes: true, chats: { orderBy: { title: 'asc' }, limit: 1 } } } },
  });
  assert.equal(got.map((c) => [c.title, c.labels.map((l) => [l.label, l.owner?.name, l.notes.map((n) => n.text), l.chats.map((h) => h.title)])]), [
    ['x', [['c', 'ann', ['on c'], ['x']], ['b', 'bob', ['on b'], ['x']]]],
    ['y', [['c', 'ann', ['on c'], ['x']]]],
  ]);
  await db.close();
});

test.run();
