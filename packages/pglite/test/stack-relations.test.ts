import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, defineRelations, defineRepository, f } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';
import '../src/index.js';

const users = defineRepository('users', { id: f.id(), name: f.string() });
const posts = defineRepository('posts', { id: f.id(), userId: f.string().indexed(), title: f.string(), createdAt: f.timestamp().createdAt() });
const repositories = { users, posts };
const relations = defineRelations(repositories, {
  users: (r) => ({ posts: r.many('posts', { field: 'userId' }) }),
  posts: (r) => ({ author: r.one('users', { field: 'userId' }) }),
});

test('a stack built from YAML takes relations, and its reads include related records', async () => {
  const db = await createStack({ config: 'database:\n  backend: pglite\n', env: {}, repositories, relations });
  await db.connect();
  try {
    const ada = await db.users.create({ name: 'Ada' });
    await db.posts.createMany([{ userId: ada.id, title: 'first' }, { userId: ada.id, title: 'second' }]);
    const found = await db.users.findOne({ where: { id: ada.id }, include: { posts: { orderBy: { title: 'asc' } } } });
    assert.equal(found?.posts.map((p) => p.title), ['first', 'second']);
    const [post] = await db.posts.find({ where: { title: 'first' }, include: { author: true } });
    assert.is(post?.author?.name, 'Ada');
  } finally {
    await db.close();
  }
});

test('a stack checks its relations like createDatabase, and closes the driver it opened', async () => {
  // @ts-expect-error a relation named like a field does not compile either; the run-time check is for untyped callers
  const clash = defineRelations(repositories, { posts: (r) => ({ title: r.one('users', { field: 'userId' }) }) });
  try {
    await createStack({ config: 'database:\n  backend: pglite\n', env: {}, repositories, relations: clash });
    assert.unreachable('a relation named like a field is refused');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, /title/);
  }
});

test.run();
