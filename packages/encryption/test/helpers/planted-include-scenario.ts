import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f, type SecurityEvent } from '@chatcore/core';
import { type Driver } from '@chatcore/core/driver';
import { encryption } from '../../src/index.js';
import { randomKey } from './keys.js';
import type { RawAccess } from './index-attack-scenario.js';

/** Repositories of the include attack (tables suffixed, for shared databases): parents, children, a many-to-many and a one-to-one. */
export function plantedIncludeRepos(suffix: string) {
  const users = defineRepository('users', { id: f.id(), name: f.string(), version: f.version() }, { table: `pi_users_${suffix}` });
  const profiles = defineRepository('profiles', {
    id: f.id(), userId: f.string().indexed(), phone: f.string().sensitive({ searchable: true }), version: f.version(),
  }, { table: `pi_profiles_${suffix}` });
  const conversations = defineRepository('conversations', { id: f.id(), title: f.string(), version: f.version() }, { table: `pi_conv_${suffix}` });
  const messages = defineRepository('messages', {
    id: f.id(), conversationId: f.string().indexed(), n: f.integer(), body: f.text().sensitive({ searchable: true }), version: f.version(),
  }, { table: `pi_msg_${suffix}` });
  const tags = defineRepository('tags', { id: f.id(), label: f.string(), secret: f.string().sensitive({ searchable: true }), version: f.version() }, { table: `pi_tags_${suffix}` });
  const conversationTags = defineRepository('conversationTags', {
    id: f.id(), conversationId: f.string().indexed(), tagId: f.string().indexed(),
  }, { table: `pi_ct_${suffix}` });
  const repositories = { users, profiles, conversations, messages, tags, conversationTags };
  const relations = defineRelations(repositories, {
    users: (r) => ({ profile: r.one('profiles', { targetField: 'userId' }) }),
    conversations: (r) => ({
      messages: r.many('messages', { field: 'conversationId' }),
      tags: r.many('tags', { through: 'conversationTags', field: 'conversationId', targetField: 'tagId' }),
    }),
  });
  const tables = Object.values(repositories).map((r) => r.schema.table);
  return { repositories, relations, tables };
}

/**
 * A blind index copied into child rows that sort ahead of the real match:
 * an `include` limited per parent, over two parents (one query for all of
 * them, with `limitPerGroup` or `through` where the driver takes it), must
 * return what it returns unlimited and then cut, each planted row dropped
 * and reported: many (limit 1, and limit 2 behind two planted rows),
 * many-to-many through a join repository, and one-to-one by `targetField`.
 */
export async function plantedIncludeScenario(driver: Driver, suffix: string, raw: RawAccess): Promise<void> {
  const { repositories, relations } = plantedIncludeRepos(suffix);
  const events: SecurityEvent[] = [];
  const db = createDatabase({
    driver, repositories, relations,
    plugins: [{ name: 'recorder', onSecurityEvent: (e: SecurityEvent) => void events.push(e) }, encryption({ rootKey: randomKey() })],
  });
  await db.connect();
  const storage = (n: string) => db.schemas.get(n)!;
  const plant = async (name: string, field: string, from: string, into: readonly string[]) => {
    const s = storage(name);
    const index = await raw.read(s, from, field);
    for (const id of into) await raw.write(s, id, { [field]: index });
  };
  const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
  try {
    // c1: m1 and m0 say hello; m2 and m4, sorting ahead of them (n desc), get m1's index. c2: m3.
    await db.conversations.createMany([{ id: 'c1', title: 'one' }, { id: 'c2', title: 'two' }]);
    await db.messages.createMany([
      { id: 'm0', conversationId: 'c1', n: 0, body: 'hello' },
      { id: 'm1', conversationId: 'c1', n: 1, body: 'hello' },
      { id: 'm2', conversationId: 'c1', n: 2, body: 'other' },
      { id: 'm3', conversationId: 'c2', n: 3, body: 'hello' },
      { id: 'm4', conversationId: 'c1', n: 4, body: 'another' },
    ]);
    await plant('messages', 'bodyBidx', 'm1', ['m2', 'm4']);
    const messages = async (limit: number | undefined) => {
      const found = await db.conversations.find({ orderBy: { id: 'asc' }, include: { messages: { where: { body: 'hello' }, orderBy: { n: 'desc' }, limit } } });
      return found.map((c) => `${c.id}:${ids(c.messages).join(',')}`);
    };
    assert.equal(await messages(undefined), ['c1:m1,m0', 'c2:m3'], 'unlimited: the planted rows dropped');
    assert.equal(await messages(1), ['c1:m1', 'c2:m3'], 'limit 1: the real match behind two planted rows');
    assert.equal(await messages(2), ['c1:m1,m0', 'c2:m3'], 'limit 2: both real matches behind two planted rows');
    const selected = await db.conversations.find({ orderBy: { id: 'asc' }, include: { messages: { where: { body: 'hello' }, orderBy: { n: 'desc' }, limit: 1, select: ['n'] } } });
    assert.equal(selected.map((c) => c.messages), [[{ id: 'm1', n: 1 }], [{ id: 'm3', n: 3 }]], 'a projection keeps its fields only');

    // Many-to-many: t2 (label b, ahead in label desc) gets t1's index; both conversations link both tags.
    await db.tags.createMany([{ id: 't1', label: 'a', secret: 'mine' }, { id: 't2', label: 'b', secret: 'theirs' }]);
    await db.conversationTags.createMany(['c1', 'c2'].flatMap((c) => ['t1', 't2'].map((t) => ({ id: `${c}${t}`, conversationId: c, tagId: t }))));
    await plant('tags', 'secretBidx', 't1', ['t2']);
    const tags = async (limit: number | undefined) => {
      const found = await db.conversations.find({ orderBy: { id: 'asc' }, include: { tags: { where: { secret: 'mine' }, orderBy: { label: 'desc' }, limit } } });
      return found.map((c) => `${c.id}:${ids(c.tags).join(',')}`);
    };
    assert.equal(await tags(undefined), ['c1:t1', 'c2:t1'], 'unlimited through: the planted tag dropped');
    assert.equal(await tags(1), ['c1:t1', 'c2:t1'], 'limited through: the real tag of each conversation');

    // One-to-one by targetField with a where: p0 (id ahead of p1) gets p1's index.
    await db.users.createMany([{ id: 'u1', name: 'ada' }, { id: 'u2', name: 'bob' }]);
    await db.profiles.createMany([{ id: 'p0', userId: 'u1', phone: '000' }, { id: 'p1', userId: 'u1', phone: '999' }, { id: 'p2', userId: 'u2', phone: '111' }]);
    await plant('profiles', 'phoneBidx', 'p1', ['p0']);
    const users = await db.users.find({ orderBy: { id: 'asc' }, include: { profile: { where: { phone: '999' } } } });
    assert.equal(users.map((u) => `${u.id}:${u.profile?.id ?? null}`), ['u1:p1', 'u2:null'], 'one-to-one: the real profile behind the planted one');

    await new Promise((r) => setTimeout(r, 10));
    const reported = new Set(events.filter((e) => e.type === 'integrity_failure' && (e.details as { check?: string } | undefined)?.check === 'blind_index').flatMap((e) => e.ids ?? []));
    assert.equal([...reported].sort(), ['m2', 'm4', 'p0', 't2'], 'every planted row reported, no other');
  } finally {
    await db.close();
  }
}
