import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRelations, defineRepository, f, type Relations } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/testing';

const users = defineRepository('users', { id: f.id(), name: f.string(), email: f.string().sensitive(), age: f.integer() });
const posts = defineRepository('posts', { id: f.id(), userId: f.string(), title: f.string() });
const repos = { users, posts };

/** The relations a caller could build without the typed builder (plain JS, or casts). */
function raw(byRepository: Record<string, Record<string, unknown>>): Relations<typeof repos> {
  return { repositories: repos, byRepository } as unknown as Relations<typeof repos>;
}

function problems(relations: Relations<typeof repos>): string {
  try {
    createDatabase({ driver: memoryDriver(), repositories: repos, relations, allowPlaintextSensitive: true });
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  assert.unreachable('createDatabase accepted invalid relations');
  return '';
}

test('a reference to a key of createDatabase({ repositories }) rather than a defineRepository name says which name it needs', () => {
  const authors = defineRepository('users', { id: f.id(), name: f.string() });
  const notes = defineRepository('notes', { id: f.id(), authorId: f.string().references('people') });
  try {
    createDatabase({ driver: memoryDriver(), repositories: { people: authors, notes } });
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /notes\.authorId references repository "people".*references use the name given to defineRepository \(known: users, notes\), not a key of createDatabase/);
  }
});

test('an unknown target, an unknown field or a field of the wrong type is a ConfigError naming the relation', () => {
  assert.match(problems(raw({ posts: { author: { kind: 'one', target: 'people', field: 'userId' } } })), /posts\.author: target "people" is not a repository/);
  assert.match(problems(raw({ posts: { author: { kind: 'one', target: 'users', field: 'ownerId' } } })), /posts\.author: posts has no field "ownerId"/);
  assert.match(problems(raw({ users: { posts: { kind: 'many', target: 'posts', field: 'title2' } } })), /users\.posts: posts has no field "title2"/);
  assert.match(problems(raw({ posts: { author: { kind: 'one', target: 'users', targetField: 'age' } } })), /users\.age has type integer; a key field must be a string/);
});

test('an encrypted key field, a name taken by a field, and both or neither key are refused', () => {
  assert.match(problems(raw({ posts: { author: { kind: 'one', target: 'users', targetField: 'email' } } })), /users\.email is encrypted or secret/);
  assert.match(problems(raw({ posts: { title: { kind: 'one', target: 'users', field: 'userId' } } })), /posts\.title: the relation name is also a field/);
  assert.match(problems(raw({ posts: { author: { kind: 'one', target: 'users', field: 'userId', targetField: 'id' } } })), /either field .* or targetField/);
  assert.match(problems(raw({ users: { posts: { kind: 'many', target: 'posts', field: 'userId', through: 'tags', targetField: 'id' } } })), /through "tags" is not a repository/);
});

test('a relation name that cannot name a record property (__proto__, constructor, not an identifier) is refused', () => {
  const rel = { kind: 'many', target: 'posts', field: 'userId' };
  assert.match(problems(raw({ users: Object.defineProperty({}, '__proto__', { value: rel, enumerable: true }) })), /users\.__proto__: the relation name is invalid/);
  assert.match(problems(raw({ users: { constructor: rel } })), /users\.constructor: the relation name is invalid/);
  assert.match(problems(raw({ users: { 'my posts': rel } })), /users\.my posts: the relation name is invalid/);
  assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: repos, relations: defineRelations(repos, { users: (r) => ({ ['__proto__']: r.many('posts', { field: 'userId' }) }) }), allowPlaintextSensitive: true }), /the relation name is invalid/);
});

test('every problem is listed at once, and valid relations are accepted', () => {
  const message = problems(raw({ posts: { a: { kind: 'one', target: 'x', field: 'userId' }, b: { kind: 'one', target: 'users', field: 'nope' } } }));
  assert.match(message, /posts\.a/);
  assert.match(message, /posts\.b/);
  const ok = defineRelations(repos, { posts: (r) => ({ author: r.one('users', { field: 'userId' }) }), users: (r) => ({ posts: r.many('posts', { field: 'userId' }) }) });
  const db = createDatabase({ driver: memoryDriver(), repositories: repos, relations: ok, allowPlaintextSensitive: true });
  assert.ok(db.posts);
});

test('defineRelations refuses a key that is not a repository', () => {
  assert.throws(() => defineRelations(repos, { comments: () => ({}) } as never), /"comments" is not one of the repositories/);
});

test.run();
