import * as assert from 'uvu/assert';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import { defineRelations } from '../relations/define-relations.js';
import type { Database } from '../database/database-api.js';
import type { Harness } from './harness.js';
import { collectAtMost, rejectsWith } from './harness.js';

type Row = Record<string, unknown>;

function relationRepos(h: Harness) {
  const users = defineRepository('users', { id: f.id(), name: f.string(), tier: f.integer() }, { table: h.table('rel_users') });
  const conversations = defineRepository('conversations', {
    id: f.id(), userId: f.string().indexed(), title: f.string(), rank: f.integer(), archived: f.boolean(),
  }, { table: h.table('rel_conversations') });
  const messages = defineRepository('messages', {
    id: f.id(), conversationId: f.string().indexed(), n: f.integer(), role: f.enum(['user', 'assistant']),
  }, { table: h.table('rel_messages') });
  const tags = defineRepository('tags', { id: f.id(), label: f.string() }, { table: h.table('rel_tags') });
  const links = defineRepository('links', { id: f.id(), conversationId: f.string().indexed(), tagId: f.string().indexed() }, { table: h.table('rel_links') });
  const profiles = defineRepository('profiles', { id: f.id(), userId: f.string().unique(), bio: f.string() }, { table: h.table('rel_profiles') });
  return { users, conversations, messages, tags, links, profiles };
}

function declare(repos: ReturnType<typeof relationRepos>) {
  return defineRelations(repos, {
    users: (r) => ({ conversations: r.many('conversations', { field: 'userId' }), profile: r.one('profiles', { targetField: 'userId' }) }),
    conversations: (r) => ({
      user: r.one('users', { field: 'userId' }),
      messages: r.many('messages', { field: 'conversationId' }),
      tags: r.many('tags', { through: 'links', field: 'conversationId', targetField: 'tagId' }),
    }),
    messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }),
    tags: (r) => ({ conversations: r.many('conversations', { through: 'links', field: 'tagId', targetField: 'conversationId' }) }),
  });
}

type Repos = ReturnType<typeof relationRepos>;
type Db = Database<Repos, ReturnType<typeof declare>>;

/** The data, as the plain-JS model keeps it. */
interface Model { users: Row[]; conversations: Row[]; messages: Row[]; tags: Row[]; links: Row[]; profiles: Row[] }

/**
 * 12 users (the last without conversations), 3 conversations each (36: more than Firestore's 30-value in), 0..6 messages each;
 * 6 tags, two pairs with the same label (ties), linked to 0..5 tags per conversation, some links twice.
 */
async function seed(db: Db): Promise<Model> {
  const users = await db.users.createMany(Array.from({ length: 12 }, (_, i) => ({ name: `u${String(i).padStart(2, '0')}`, tier: i % 3 })));
  const conversations = await db.conversations.createMany(users.slice(0, 11).flatMap((u, i) => [0, 1, 2].map((k) => ({
    userId: u.id, title: `c${i}-${k}`, rank: (k * 7 + i) % 5 + k * 10, archived: (i + k) % 4 === 0,
  }))));
  const messages = await db.messages.createMany(conversations.flatMap((c, i) => Array.from({ length: i % 7 }, (_, j) => ({
    conversationId: c.id, n: (j * 5 + i) % 7 + j * 10, role: (j + i) % 3 === 0 ? 'assistant' as const : 'user' as const,
  }))));
  const tags = await db.tags.createMany(['red', 'green', 'blue', 'amber', 'blue', 'red'].map((label) => ({ label })));
  const links = await db.links.createMany(conversations.flatMap((c, i) => (i % 9 === 4 ? [] : tags.filter((_, t) => (i + t) % 3 !== 0 || (t === 5 && i % 5 === 0)))
    .flatMap((t, k) => (k === 0 && i % 4 === 1 ? [t, t] : [t])).map((t) => ({ conversationId: c.id, tagId: t.id }))));
  const profiles = await db.profiles.createMany(users.filter((_, i) => i % 2 === 0).map((u) => ({ userId: u.id, bio: `bio of ${u.name}` })));
  return { users, conversations, messages, tags, links, profiles } as unknown as Model;
}

const by = (field: string, dir: 'asc' | 'desc') => (a: Row, b: Row) => {
  const x = a[field] as number | string;
  const y = b[field] as number | string;
  return (x < y ? -1 : x > y ? 1 : 0) * (dir === 'asc' ? 1 : -1);
};
/** Sort by `field`, ties by id in the same direction (the order every backend adds). */
const byThenId = (field: string, dir: 'asc' | 'desc') => (a: Row, b: Row) => by(field, dir)(a, b) || by('id', dir)(a, b);
const pick = (r: Row, fields: readonly string[]) => Object.fromEntries(['id', ...fields].map((k) => [k, r[k]]));

/**
 * Relations and include: results at three levels, with where / orderBy /
 * limit / select per level, compared with a plain-JS model of the same
 * data; per-parent limits; many-to-many; one-to-one from the other side;
 * every read method; inside a transaction; and bad include input.
 *
 * @example
 * ```ts
 * registerRelationsIncludeTests(harness);
 * ```
 */
export function registerRelationsIncludeTests(h: Harness): void {
  const repos = relationRepos(h);
  const relations = declare(repos);
  let model: Promise<Model> | undefined;
  h.group('relations and include', repos, (test) => {
    const env = async (db: unknown) => {
      const typed = db as Db;
      model ??= seed(typed);
      return { db: typed, m: await model };
    };

    test('three levels with where, orderBy, limit and select at each level match the model', async ({ db: raw }) => {
      const { db, m } = await env(raw);
      const found = await db.users.find({
        where: { tier: { in: [0, 1] } }, orderBy: { name: 'asc' }, select: ['name'],
        include: {
          conversations: {
            where: { archived: false }, orderBy: { rank: 'desc' }, limit: 2, select: ['title', 'rank'],
            include: { messages: { where: { role: 'user' }, orderBy: { n: 'desc' }, limit: 3, select: ['n'], include: { conversation: { select: ['title'] } } } },
          },
        },
      });
      const expected = m.users.filter((u) => [0, 1].includes(u.tier as number)).sort(by('name', 'asc')).map((u) => ({
        ...pick(u, ['name']),
        conversations: m.conversations.filter((c) => c.userId === u.id && !c.archived).sort(by('rank', 'desc')).slice(0, 2).map((c) => ({
          ...pick(c, ['title', 'rank']),
          messages: m.messages.filter((x) => x.conversationId === c.id && x.role === 'user').sort(by('n', 'desc')).slice(0, 3)
            .map((x) => ({ ...pick(x, ['n']), conversation: pick(c, ['title']) })),
        })),
      }));
      assert.equal(found, expected);
    });

    test('a per-parent limit keeps the first n of each parent, not n overall', async ({ db: raw }) => {
      const { db, m } = await env(raw);
      const found = await db.conversations.find({ orderBy: { title: 'asc' }, select: ['title'], include: { messages: { orderBy: { n: 'asc' }, limit: 2, select: ['n'] } } });
      const expected = [...m.conversations].sort(by('title', 'asc')).map((c) => ({
        ...pick(c, ['title']),
        messages: m.messages.filter((x) => x.conversationId === c.id).sort(by('n', 'asc')).slice(0, 2).map((x) => pick(x, ['n'])),
      }));
      assert.equal(found, expected);
      assert.ok(found.some((c) => c.messages.length === 2) && found.some((c) => c.messages.length === 0), 'the data has full and empty groups');
    });

    test('many-to-many through a join repository, ordered and limited per parent', async ({ db: raw }) => {
      const { db, m } = await env(raw);
      const tags = { where: { label: { in: ['red', 'green', 'blue'] } }, orderBy: { label: 'desc' }, limit: 2, select: ['label'] } as const;
      const found = await db.conversations.find({ orderBy: { title: 'asc' }, select: ['title'], include: { tags } });
      const sorted = [...m.conversations].sort(by('title', 'asc'));
      const expected = sorted.map((c) => {
        const tagIds = new Set(m.links.filter((l) => l.conversationId === c.id).map((l) => l.tagId));
        return { ...pick(c, ['title']), tags: m.tags.filter((t) => tagIds.has(t.id) && t.label !== 'amber').sort(byThenId('label', 'desc')).slice(0, 2).map((t) => pick(t, ['label'])) };
      });
      assert.equal(found, expected);
      // One parent at a time (get): a driver may read a single key another way.
      const one = await Promise.all(sorted.map((c) => db.conversations.get(c.id as string, { include: { tags } })));
      assert.equal(one.map((c) => c && { id: c.id, title: c.title, tags: c.tags }), expected);
    });

    test('a many-to-many per-parent limit matches the model: ties, parents without links, more links than the limit', async ({ db: raw }) => {
      const { db, m } = await env(raw);
      const tagsOf = (c: Row) => {
        const ids = new Set(m.links.filter((l) => l.conversationId === c.id).map((l) => l.tagId));
        return m.tags.filter((t) => ids.has(t.id));
      };
      const convsOf = (t: Row) => {
        const ids = new Set(m.links.filter((l) => l.tagId === t.id).map((l) => l.conversationId));
        return m.conversations.filter((c) => ids.has(c.id));
      };
      for (const [dir, limit] of [['asc', 3], ['desc', 1], ['asc', 50]] as const) {
        const found = await db.conversations.find({ orderBy: { title: 'asc' }, include: { tags: { orderBy: { label: dir }, limit } } });
        const expected = [...m.conversations].sort(by('title', 'asc')).map((c) => ({ id: c.id, tags: tagsOf(c).sort(byThenId('label', dir)).slice(0, limit).map((t) => ({ id: t.id, label: t.label })) }));
        assert.equal(found.map((c) => ({ id: c.id, tags: c.tags.map((t) => ({ ...t })) })), expected, `label ${dir}, limit ${limit}`);
      }
      const counts = [...m.conversations].map((c) => tagsOf(c).length);
      assert.ok(counts.includes(0) && counts.some((n) => n > 3), 'the data has parents without links and parents with more links than the limit');
      assert.ok(m.links.length > new Set(m.links.map((l) => `${l.conversationId}|${l.tagId}`)).size, 'some pairs are linked twice');
      // The other way round, with a filter, a projection and a nested many-to-many limit below it.
      const tags = await db.tags.find({
        orderBy: { label: 'asc' }, select: ['label'],
        include: { conversations: { where: { archived: false }, orderBy: { rank: 'desc' }, limit: 4, select: ['title'], include: { tags: { orderBy: { label: 'asc' }, limit: 2, select: ['label'] } } } },
      });
      assert.equal(tags, [...m.tags].sort(byThenId('label', 'asc')).map((t) => ({
        ...pick(t, ['label']),
        conversations: convsOf(t).filter((c) => !c.archived).sort(byThenId('rank', 'desc')).slice(0, 4).map((c) => ({
          ...pick(c, ['title']), tags: tagsOf(c).sort(byThenId('label', 'asc')).slice(0, 2).map((x) => pick(x, ['label'])),
        })),
      })));
    });

    test('a many-to-many limit inside a transaction sees the transaction\'s links', async ({ db: raw }) => {
      const { db, m } = await env(raw);
      const c = m.conversations.find((x) => !m.links.some((l) => l.conversationId === x.id))!;
      const labels = await db.transaction(async (tx) => {
        const t = await tx.tags.create({ label: 'aaa-in-tx' });
        await tx.links.create({ conversationId: c.id as string, tagId: t.id });
        const got = await tx.conversations.get(c.id as string, { include: { tags: { orderBy: { label: 'asc' }, limit: 1 } } });
        throw Object.assign(new Error('roll back'), { labels: got?.tags.map((x) => x.label) });
      }).catch((e: { labels?: string[] }) => e.labels);
      assert.equal(labels, ['aaa-in-tx']);
      const after = await db.conversations.get(c.id as string, { include: { tags: { limit: 1 } } });
      assert.equal(after?.tags, [], 'rolled back with the transaction');
    });

    test('one-to-one from the other side and a filtered one read as the record or null', async ({ db: raw }) => {
      const { db, m } = await env(raw);
      const found = await db.users.find({ orderBy: { name: 'asc' }, select: ['name'], include: { profile: { select: ['bio'] } } });
      assert.equal(found, [...m.users].sort(by('name', 'asc')).map((u) => {
        const p = m.profiles.find((x) => x.userId === u.id);
        return { ...pick(u, ['name']), profile: p ? pick(p, ['bio']) : null };
      }));
      const convs = await db.conversations.find({ orderBy: { title: 'asc' }, select: ['title'], include: { user: { where: { tier: 2 }, select: ['name'] } } });
      assert.equal(convs, [...m.conversations].sort(by('title', 'asc')).map((c) => {
        const u = m.users.find((x) => x.id === c.userId)!;
        return { ...pick(c, ['title']), user: u.tier === 2 ? pick(u, ['name']) : null };
      }));
    });

    test('get, getMany, findOne, findPage and iterate load the same relations', async ({ db: raw }) => {
      const { db, m } = await env(raw);
      const c = [...m.conversations].sort(by('title', 'asc'))[5]!;
      const expectOf = (id: string) => m.messages.filter((x) => x.conversationId === id).sort(by('n', 'desc')).map((x) => x.id);
      const one = await db.conversations.get(c.id as string, { include: { messages: { orderBy: { n: 'desc' } }, user: true } });
      assert.equal(one?.messages.map((x) => x.id), expectOf(c.id as string));
      assert.equal(one?.user?.id, c.userId);
      const many = await db.conversations.getMany([c.id as string, m.conversations[0]!.id as string], { include: { messages: { orderBy: { n: 'desc' } } } });
      assert.equal(many.map((x) => x.messages.map((y) => y.id)), [expectOf(c.id as string), expectOf(m.conversations[0]!.id as string)]);
      const first = await db.conversations.findOne({ where: { id: c.id as string }, include: { messages: { orderBy: { n: 'desc' } } } });
      assert.equal(first?.messages.map((x) => x.id), expectOf(c.id as string));
      const page = await db.conversations.findPage({ orderBy: { title: 'asc' }, limit: 4, include: { user: { select: ['name'] } } });
      assert.equal(page.items.map((x) => x.user?.name), [...m.conversations].sort(by('title', 'asc')).slice(0, 4).map((x) => m.users.find((u) => u.id === x.userId)!.name));
      const iterated = await collectAtMost(db.conversations.iterate({ include: { messages: { select: ['n'] } } }, { pageSize: 7 }), m.conversations.length, 'iterate by 7');
      for (const x of iterated) assert.equal(x.messages.length, m.messages.filter((y) => y.conversationId === x.id).length);
      assert.is(iterated.length, m.conversations.length);
    });

    test('include inside a transaction reads through the transaction', async ({ db: raw }) => {
      const { db } = await env(raw);
      const title = await db.transaction(async (tx) => {
        const u = await tx.users.create({ name: 'zz-tx', tier: 9 });
        await tx.conversations.create({ userId: u.id, title: 'in-tx', rank: 1, archived: false });
        const got = await tx.users.get(u.id, { include: { conversations: true } });
        return got?.conversations.map((c) => c.title);
      });
      assert.equal(title, ['in-tx']);
    });

    test('an unknown relation or option is a ValidationError naming it', async ({ db: raw }) => {
      const { db } = await env(raw);
      const e = await rejectsWith(() => db.users.find({ include: { chats: true } as never }), 'VALIDATION', 'unknown relation');
      assert.match(e.message, /include\.chats/);
      const e2 = await rejectsWith(() => db.conversations.find({ include: { user: { limit: 1 } } as never }), 'VALIDATION', 'limit on one');
      assert.match(e2.message, /include\.user\.limit/);
      const e3 = await rejectsWith(() => db.conversations.find({ include: { messages: { where: { nope: 1 } } } as never }), 'VALIDATION', 'nested where field');
      assert.match(e3.message, /include\.messages\.where\.nope/);
    });
  }, [], relations);
}
