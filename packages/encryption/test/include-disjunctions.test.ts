import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createDatabase, defineRelations, defineRepository, f, UnsupportedQueryError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { encryption } from '../src/index.js';
import { KEY_A } from './helpers/keys.js';

// An include whose where has in-lists or or-branches, over more parents than fit in one query once
// the parent keys multiply them (Firestore: at most 30 disjunctions), plain and through a blind index:
// every backend returns the same rows, for every kind of relation.
const emulator = await useFirestoreEmulator();
const s = randomBytes(3).toString('hex');
const conversations = defineRepository('conversations', { id: f.id(), status: f.string() }, { table: `dj_c_${s}` });
const messages = defineRepository('messages', {
  id: f.id(), conversationId: f.string().indexed(), role: f.string(), body: f.text().sensitive({ searchable: true }),
}, { table: `dj_m_${s}` });
const tags = defineRepository('tags', { id: f.id(), label: f.string() }, { table: `dj_t_${s}` });
const conversationTags = defineRepository('conversationTags', { id: f.id(), conversationId: f.string().indexed(), tagId: f.string().indexed() }, { table: `dj_ct_${s}` });
const repositories = { conversations, messages, tags, conversationTags };
const relations = defineRelations(repositories, {
  conversations: (r) => ({
    messages: r.many('messages', { field: 'conversationId' }),
    tags: r.many('tags', { through: 'conversationTags', field: 'conversationId', targetField: 'tagId' }),
  }),
  messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }),
});

const N = 35;
const pad = (i: number) => String(i).padStart(2, '0');
const convRows = Array.from({ length: N }, (_, i) => ({ id: `c${pad(i)}`, status: ['open', 'shut', 'held'][i % 3]! }));
const msgRows = Array.from({ length: 2 * N }, (_, i) => ({ id: `m${pad(i)}`, conversationId: `c${pad(i % N)}`, role: ['u', 'b', 's'][i % 3]!, body: ['x', 'y', 'z'][i % 3]! }));
const tagRows = Array.from({ length: N }, (_, i) => ({ id: `t${pad(i)}`, label: ['a', 'b', 'c'][i % 3]! }));
const linkRows = convRows.flatMap((c, i) => [{ conversationId: c.id, tagId: `t${pad(i)}` }, { conversationId: c.id, tagId: `t${pad((i + 1) % N)}` }]);

/** Each conversation id with the ids of its messages that pass `keep`, as the include should return them. */
function expectedMessages(keep: (m: (typeof msgRows)[number]) => boolean): string[] {
  return convRows.map((c) => `${c.id}:${msgRows.filter((m) => m.conversationId === c.id && keep(m)).map((m) => m.id).join(',')}`);
}

async function open(driver: Parameters<typeof createDatabase>[0]['driver']) {
  const db = createDatabase({ driver, repositories, relations, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] });
  await db.connect();
  await db.conversations.createMany(convRows);
  await db.messages.createMany(msgRows);
  await db.tags.createMany(tagRows);
  await db.conversationTags.createMany(linkRows);
  return db;
}

const backends = {
  memory: () => memoryDriver(),
  pglite: () => pglite(),
  firestore: () => firestore({ projectId: `chatcore-dj-${s}`, emulatorHost: emulator.host }),
};

for (const [name, driver] of Object.entries(backends)) {
  test(`${name}: an include's in / or where over ${N} parents returns every match, for every relation kind`, async () => {
    const db = await open(driver());
    try {
      const byConv = (rows: Array<{ id: string; messages: Array<{ id: string }> }>) => rows.map((c) => `${c.id}:${c.messages.map((m) => m.id).join(',')}`);
      const opts = { orderBy: { id: 'asc' as const } };
      const roleIn = await db.conversations.find({ ...opts, include: { messages: { ...opts, where: { role: { in: ['u', 'b'] } } } } });
      assert.equal(byConv(roleIn), expectedMessages((m) => m.role !== 's'), 'one-to-many, in');
      const bodyIn = await db.conversations.find({ ...opts, include: { messages: { ...opts, where: { body: { in: ['x', 'y'] } } } } });
      assert.equal(byConv(bodyIn), expectedMessages((m) => m.body !== 'z'), 'one-to-many, in on an encrypted field');
      const or = await db.conversations.find({ ...opts, include: { messages: { ...opts, where: { or: [{ role: 'u' }, { body: 'y' }] } } } });
      assert.equal(byConv(or), expectedMessages((m) => m.role === 'u' || m.body === 'y'), 'one-to-many, or');

      const one = await db.messages.find({ ...opts, include: { conversation: { where: { status: { in: ['open', 'shut'] } } } } });
      assert.equal(one.map((m) => `${m.id}:${m.conversation?.id ?? '-'}`), msgRows.map((m) => `${m.id}:${convRows.find((c) => c.id === m.conversationId)!.status === 'held' ? '-' : m.conversationId}`), 'one-to-one, in');

      const through = await db.conversations.find({ ...opts, include: { tags: { orderBy: { id: 'asc' }, where: { label: { in: ['a', 'b'] } } } } });
      const wantTags = convRows.map((c) => `${c.id}:${linkRows.filter((l) => l.conversationId === c.id).map((l) => l.tagId).sort().filter((t) => tagRows.find((x) => x.id === t)!.label !== 'c').join(',')}`);
      assert.equal(through.map((c) => `${c.id}:${c.tags.map((t) => t.id).join(',')}`), wantTags, 'many-to-many, in');

      // A where over the limit on its own is the driver's to refuse, named as the limit it breaks.
      const wide = { or: Array.from({ length: 16 }, (_, i) => ({ role: { in: [`r${i}`, `q${i}`] } })) };
      if (name === 'firestore') {
        try {
          await db.conversations.find({ include: { messages: { where: wide } } });
          assert.unreachable('expected UnsupportedQueryError');
        } catch (e) {
          assert.instance(e, UnsupportedQueryError);
          assert.is((e as UnsupportedQueryError).info.limit, 'disjunctions');
        }
      } else {
        const rows = await db.conversations.find({ include: { messages: { where: wide } } });
        assert.is(rows.reduce((n, c) => n + c.messages.length, 0), 0);
      }
    } finally {
      await db.close();
    }
  });
}

test.run();
