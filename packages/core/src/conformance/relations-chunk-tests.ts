import * as assert from 'uvu/assert';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import { defineRelations } from '../relations/define-relations.js';
import type { Database } from '../database/database-api.js';
import type { Harness } from './harness.js';

type Row = Record<string, unknown>;

function chunkRepos(h: Harness) {
  const tags = defineRepository('tags', { id: f.id(), label: f.string() }, { table: h.table('chunk_tags') });
  const posts = defineRepository('posts', { id: f.id(), title: f.string(), rank: f.integer() }, { table: h.table('chunk_posts') });
  const links = defineRepository('links', {
    id: f.id(), tagId: f.string().indexed(), postId: f.string().indexed(), weight: f.integer(),
  }, { table: h.table('chunk_links') });
  return { tags, posts, links };
}

function declare(repos: ReturnType<typeof chunkRepos>) {
  return defineRelations(repos, {
    tags: (r) => ({ posts: r.many('posts', { through: 'links', field: 'tagId', targetField: 'postId' }) }),
    posts: (r) => ({ links: r.many('links', { field: 'postId' }) }),
  });
}

type Repos = ReturnType<typeof chunkRepos>;
type Db = Database<Repos, ReturnType<typeof declare>>;

const pad = (i: number) => String(i).padStart(4, '0');

/**
 * Includes whose keys span more than one `in` chunk (the driver's
 * `maxInList` and `maxDisjunctions`), ordered by a field their `select`
 * leaves out: the rows merged from the chunks keep the relation's order,
 * the per-parent limit keeps the right rows, and the order field is not
 * returned. Tag t1 links every post (one more than a chunk), t2 a few;
 * ranks fall as ids rise, so the id order is the reverse of the rank order.
 *
 * @example
 * ```ts
 * registerRelationsChunkTests(harness);
 * ```
 */
export function registerRelationsChunkTests(h: Harness): void {
  const repos = chunkRepos(h);
  const relations = declare(repos);
  const n = Math.min(h.capabilities.maxInList ?? 1000, h.capabilities.maxDisjunctions ?? Infinity) + 1;
  let seeded: Promise<void> | undefined;
  const seed = async (db: Db) => {
    await db.tags.createMany([{ id: 't1', label: 'all' }, { id: 't2', label: 'some' }]);
    const posts = Array.from({ length: n }, (_, i) => ({ id: `p${pad(i)}`, title: `title ${i % 3}`, rank: n - i }));
    const links = [
      ...posts.map((p, i) => ({ id: `a${pad(i)}`, tagId: 't1', postId: p.id, weight: i % 5 })),
      ...posts.filter((_, i) => i % 4 === 1).map((p, i) => ({ id: `b${pad(i)}`, tagId: 't2', postId: p.id, weight: 9 - (i % 7) })),
    ];
    for (let i = 0; i < posts.length; i += 500) await db.posts.createMany(posts.slice(i, i + 500));
    for (let i = 0; i < links.length; i += 500) await db.links.createMany(links.slice(i, i + 500));
  };
  /** Post ids of a tag, by rank (ids descending), as `select: ['title']` returns them. */
  const expected = (tag: string, dir: 'asc' | 'desc', limit = Infinity) => {
    const ids = Array.from({ length: n }, (_, i) => i).filter((i) => tag === 't1' || i % 4 === 1);
    const ordered = dir === 'asc' ? ids.reverse() : ids;
    return ordered.slice(0, limit).map((i) => ({ id: `p${pad(i)}`, title: `title ${i % 3}` }));
  };
  h.group('relations across in chunks', repos, (test) => {
    const env = async (db: unknown) => {
      const typed = db as Db;
      seeded ??= seed(typed);
      await seeded;
      return typed;
    };

    test('many-to-many ordered by a field the select leaves out, over more targets than one chunk', async ({ db: raw }) => {
      const db = await env(raw);
      const found = await db.tags.find({ orderBy: { id: 'asc' }, select: ['label'], include: { posts: { orderBy: { rank: 'asc' }, select: ['title'] } } });
      assert.equal(found.map((t) => t.posts), [expected('t1', 'asc'), expected('t2', 'asc')]);
    });

    test('a many-to-many per-parent limit with such a select keeps the first records by the order', async ({ db: raw }) => {
      const db = await env(raw);
      for (const [dir, limit] of [['asc', 2], ['desc', 3]] as const) {
        const found = await db.tags.find({ orderBy: { id: 'asc' }, include: { posts: { orderBy: { rank: dir }, limit, select: ['title'] } } });
        assert.equal(found.map((t) => t.posts), [expected('t1', dir, limit), expected('t2', dir, limit)], `rank ${dir}, limit ${limit}`);
      }
    });

    test('a where with an in-list (fewer keys per chunk) keeps the order too', async ({ db: raw }) => {
      const db = await env(raw);
      const where = { title: { in: ['title 0', 'title 1', 'title 2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9'] } };
      const found = await db.tags.get('t1', { include: { posts: { where, orderBy: { rank: 'asc' }, limit: 4, select: ['title'] } } });
      assert.equal(found?.posts, expected('t1', 'asc', 4));
    });

    test('one-to-many over more parents than one chunk, ordered by a field the select leaves out', async ({ db: raw }) => {
      const db = await env(raw);
      const found = await db.posts.find({ orderBy: { id: 'asc' }, select: ['title'], include: { links: { orderBy: { weight: 'desc' }, limit: 2, select: ['tagId'] } } });
      assert.is(found.length, n);
      const bad = found.filter((p, i) => {
        const want = [{ tag: 't1', weight: i % 5 }, ...(i % 4 === 1 ? [{ tag: 't2', weight: 9 - (((i - 1) / 4) % 7) }] : [])];
        want.sort((a, b) => b.weight - a.weight || (a.tag < b.tag ? 1 : -1));
        const got = (p.links as Row[]).map((l) => ({ ...l }));
        return JSON.stringify(got.map((l) => [Object.keys(l).sort().join(), l.tagId])) !== JSON.stringify(want.map((w) => ['id,tagId', w.tag]));
      });
      assert.equal(bad.map((p) => p.id), [], 'posts whose links are out of order or carry fields not selected');
    });
  }, [], relations);
}
