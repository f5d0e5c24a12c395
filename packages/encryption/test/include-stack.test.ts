import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { defineRelations, defineRepository, f, ValidationError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { openIncludeStack } from './helpers/include-stack.js';

// include through the standard onion: each related read is a read of its own repository,
// decrypted by encryption, cached by the cache and recorded by audit.
await requireService('redis');
const suffix = randomBytes(3).toString('hex');
const users = defineRepository(`iu_${suffix}`, { id: f.id(), name: f.string(), email: f.string().sensitive({ searchable: true }) });
const conversations = defineRepository(`ic_${suffix}`, { id: f.id(), userId: f.string().indexed(), title: f.string().sensitive() });
const messages = defineRepository(`im_${suffix}`, { id: f.id(), conversationId: f.string().indexed(), n: f.integer(), body: f.text().sensitive() });
const repositories = { users, conversations, messages };
const relations = defineRelations(repositories, {
  users: (r) => ({ conversations: r.many('conversations', { field: 'userId' }) }),
  conversations: (r) => ({ user: r.one('users', { field: 'userId' }), messages: r.many('messages', { field: 'conversationId' }) }),
});
const { db, calls, onion, plain, secret, dump } = await openIncludeStack(repositories, relations, `include${suffix}`);

/** Read events audit recorded since the last call: [repository, method, cache]. */
async function reads(): Promise<Array<[unknown, unknown, unknown]>> {
  return (await onion.readEvents()).map((e) => [e.repository, e.method, e.cache]);
}

const ada = await db.users.create({ name: 'ada', email: `${secret('e')}@example.com` });
const convs = await db.conversations.createMany([0, 1, 2].map(() => ({ userId: ada.id, title: secret('t') })));
await db.messages.createMany(convs.flatMap((c) => Array.from({ length: 25 }, (_, n) => ({ conversationId: c.id, n, body: secret('b') }))));

const include = { conversations: { include: { messages: { orderBy: { n: 'desc' as const }, limit: 20 } } } };

test('included sensitive fields read back in plain text, and no table holds them', async () => {
  const got = await db.users.get(ada.id, { include });
  assert.ok(got);
  assert.is(got.conversations.length, 3);
  for (const c of got.conversations) {
    assert.is(c.title, convs.find((x) => x.id === c.id)!.title);
    assert.equal(c.messages.map((m) => m.n), Array.from({ length: 20 }, (_, i) => 24 - i));
    for (const m of c.messages) assert.ok(plain.includes(m.body), 'message bodies are decrypted');
  }
  const text = await dump();
  assert.ok(text.length > 1000);
  assert.equal(plain.filter((v) => text.includes(v)), [], 'no plaintext in any table');
});

test('audit records one read per repository read, and a repeated include is served from the cache', async () => {
  await reads();
  // A fresh shape (where: n >= 0) so the first run misses the cache.
  const shaped = { conversations: { include: { messages: { where: { n: { gte: 0 } }, orderBy: { n: 'desc' as const }, limit: 20 } } } };
  const before = calls();
  const first = await db.users.get(ada.id, { include: shaped });
  const firstCalls = calls() - before;
  // The user and the conversations are cached by the previous test; the messages' new shape is not.
  assert.equal(await reads(), [[users.name, 'get', 'hit'], [conversations.name, 'find', 'hit'], [messages.name, 'find', 'miss']]);
  assert.is(firstCalls, 1, 'one driver query for the level that missed, for every parent at once');
  const mid = calls();
  const again = await db.users.get(ada.id, { include: shaped });
  assert.is(calls() - mid, 0, 'the repeat sent nothing to the database');
  assert.equal(again, first);
  const repeat = await reads();
  assert.equal(repeat.map((r) => [r[0], r[1]]), [[users.name, 'get'], [conversations.name, 'find'], [messages.name, 'find']]);
  assert.ok(repeat.every((r) => r[2] === 'hit'), `every read is a cache hit: ${JSON.stringify(repeat)}`);
});

test('a write to a related repository invalidates the cached include', async () => {
  const c = convs[0]!;
  const body = secret('late');
  await db.messages.create({ conversationId: c.id, n: 99, body });
  const got = await db.users.get(ada.id, { include });
  assert.is(got!.conversations.find((x) => x.id === c.id)!.messages[0]!.body, body);
});

test('a nested where on an encrypted field is refused before anything is read, parents or none', async () => {
  await reads();
  // None of these compiles (eq is not an operator of a sensitive field that is not searchable): the check at run time.
  for (const [call, path] of [
    [() => db.users.get(ada.id, { include: { conversations: { where: { title: 'x' } } } } as never), 'include.conversations.where.title'],
    [() => db.users.find({ include: { conversations: { include: { messages: { where: { body: 'x' } } } } } } as never), 'include.conversations.include.messages.where.body'],
    [() => db.users.find({ where: { name: 'nobody' }, include: { conversations: { where: { title: 'x' } } } } as never), 'include.conversations.where.title'],
  ] as const) {
    const before = calls();
    const error = await call().then(() => undefined, (e: unknown) => e);
    assert.instance(error, ValidationError);
    assert.equal((error as ValidationError).issues.map((i) => [i.path, i.message]), [[path, 'operator eq is not available on an encrypted field without a blind index: only null tests apply (null, eq: null, ne: null, isNull)']]);
    assert.is(calls() - before, 0, 'no driver call');
  }
  assert.equal(await reads(), [], 'no read reached the plugins');
});

test.after(async () => {
  for (const key of ['messages', 'conversations', 'users'] as const) await db[key].deleteMany({});
  await db.close();
});
test.run();
