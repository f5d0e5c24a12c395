import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { defineRelations, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { openIncludeStack } from './helpers/include-stack.js';

// A many-to-many include with a per-parent limit through the standard onion: the
// targets are read (and decrypted, and audited) as a find of their repository, the
// join rows as a getMany of theirs, each bounded by the limit.
await requireService('redis');
const suffix = randomBytes(3).toString('hex');
const conversations = defineRepository(`tc_${suffix}`, { id: f.id(), title: f.string().sensitive() });
const tags = defineRepository(`tt_${suffix}`, { id: f.id(), rank: f.integer(), label: f.string().sensitive({ searchable: true }) });
const links = defineRepository(`tl_${suffix}`, { id: f.id(), conversationId: f.string().indexed(), tagId: f.string().indexed(), note: f.string().sensitive() });
const repositories = { conversations, tags, links };
const relations = defineRelations(repositories, {
  conversations: (r) => ({ tags: r.many('tags', { through: 'links', field: 'conversationId', targetField: 'tagId' }) }),
});
const { db, calls, onion, plain, secret, dump } = await openIncludeStack(repositories, relations, `through${suffix}`);

/** Read events audit recorded since the last call: [repository, method, number of ids]. */
async function reads(): Promise<Array<[unknown, unknown, unknown]>> {
  return (await onion.readEvents()).map((e) => [e.repository, e.method, (e.ids as unknown[] | undefined)?.length]);
}

const convs = await db.conversations.createMany([0, 1].map(() => ({ title: secret('t') })));
const allTags = await db.tags.createMany(Array.from({ length: 30 }, (_, rank) => ({ rank, label: secret('l') })));
// The first conversation is linked to all 30 tags, the second to 3.
await db.links.createMany([
  ...allTags.map((t) => ({ conversationId: convs[0]!.id, tagId: t.id, note: secret('n') })),
  ...allTags.slice(0, 3).map((t) => ({ conversationId: convs[1]!.id, tagId: t.id, note: secret('n') })),
]);
const include = { tags: { orderBy: { rank: 'desc' as const }, limit: 4 } };
const labelOf = new Map(allTags.map((t) => [t.id, t.label]));

test('included targets decrypt, and no table holds their plaintext', async () => {
  const got = await db.conversations.getMany(convs.map((c) => c.id), { include });
  assert.equal(got.map((c) => c.tags.map((t) => t.rank)), [[29, 28, 27, 26], [2, 1, 0]]);
  for (const c of got) for (const t of c.tags) assert.is(t.label, labelOf.get(t.id), 'labels are decrypted');
  assert.ok(got.every((c) => c.tags.every((t) => !('__parent' in t) && !('__link' in t))), 'no link bookkeeping reaches the caller');
  const text = await dump();
  assert.ok(text.length > 1000);
  assert.equal(plain.filter((v) => text.includes(v)), [], 'no plaintext in any table');
});

test('audit records one read per repository read, each bounded by the limit', async () => {
  await reads();
  const before = calls();
  await db.conversations.getMany(convs.map((c) => c.id), { include, cache: false });
  assert.is(calls() - before, 3, 'one driver call per repository');
  assert.equal(await reads(), [
    [conversations.name, 'getMany', 2],
    [tags.name, 'find', 7],
    [links.name, 'getMany', 7],
  ]);
});

test('a repeated include is served by the cache, and a new link or a changed target shows in the next one', async () => {
  await db.conversations.get(convs[1]!.id, { include });
  const before = calls();
  const again = await db.conversations.get(convs[1]!.id, { include });
  assert.is(calls() - before, 0, 'parent, targets and join rows all served by the cache');
  assert.equal(again?.tags.map((t) => t.rank), [2, 1, 0]);
  // A new link to an existing target, then its removal: writes to the join repository only, which the target query read through.
  const link = await db.links.create({ conversationId: convs[1]!.id, tagId: allTags[10]!.id, note: secret('n') });
  assert.equal((await db.conversations.get(convs[1]!.id, { include }))?.tags.map((t) => t.rank), [10, 2, 1, 0]);
  await db.links.delete(link.id);
  assert.equal((await db.conversations.get(convs[1]!.id, { include }))?.tags.map((t) => t.rank), [2, 1, 0]);
  // A new target and its link; a changed target.
  const extra = await db.tags.create({ rank: 99, label: secret('l') });
  await db.links.create({ conversationId: convs[1]!.id, tagId: extra.id, note: secret('n') });
  const got = await db.conversations.get(convs[1]!.id, { include });
  assert.equal(got?.tags.map((t) => t.rank), [99, 2, 1, 0]);
  assert.is(got?.tags[0]?.label, extra.label);
  await db.tags.update(allTags[2]!.id, { rank: 50 });
  assert.equal((await db.conversations.get(convs[1]!.id, { include }))?.tags.map((t) => t.rank), [99, 50, 1, 0]);
});

test.after(async () => {
  for (const key of ['links', 'tags', 'conversations'] as const) await db[key].deleteMany({});
  await db.close();
});
test.run();
