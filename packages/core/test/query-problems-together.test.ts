import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/testing';

// Every problem of a query comes in one ValidationError: the caller fixes them in one round,
// not one field after another (where used to be checked only once the rest was valid).
const conversations = defineRepository('conversations', { id: f.id(), title: f.string(), ssn: f.string().optional().sensitive({ searchable: true }) });
const messages = defineRepository('messages', { id: f.id(), conversationId: f.string(), seq: f.integer() });
const repositories = { conversations, messages };
const relations = defineRelations(repositories, {
  conversations: (r) => ({ messages: r.many('messages', { field: 'conversationId' }) }),
  messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }),
});
const db = createDatabase({ driver: memoryDriver(), repositories, relations, allowPlaintextSensitive: true });
await db.connect();
const c = await db.conversations.create({ title: 't' });
await db.messages.create({ conversationId: c.id, seq: 1 });

/** The paths of the ValidationError `call` rejects with, sorted. */
async function pathsOf(call: () => Promise<unknown>): Promise<string[]> {
  try {
    await call();
  } catch (error) {
    assert.instance(error, ValidationError);
    return (error as ValidationError).issues.map((i) => i.path).sort();
  }
  throw new assert.Assertion({ message: 'expected a ValidationError', operator: 'rejects', expects: 'ValidationError', actual: 'no error' });
}

const loose = db as unknown as Record<'conversations' | 'messages', {
  find(q: object): Promise<unknown>; findOne(q: object): Promise<unknown>; findPage(q: object): Promise<unknown>;
  iterate(q: object): AsyncIterable<unknown>; aggregate(q: object): Promise<unknown>;
}>;
const bad = { where: { nope: 1 }, select: ['zz'], orderBy: { qq: 'asc' }, limit: 0 };
const expected = ['limit', 'orderBy.qq', 'select[0]', 'where.nope'];

test('find reports where, select, orderBy and limit problems in one ValidationError', async () => {
  assert.equal(await pathsOf(() => loose.conversations.find(bad)), expected);
  assert.equal(await pathsOf(() => loose.conversations.findPage(bad)), expected);
});

test('findOne and iterate report where, select and orderBy problems together', async () => {
  const { limit: _, ...noLimit } = bad;
  const all = ['orderBy.qq', 'select[0]', 'where.nope'];
  assert.equal(await pathsOf(() => loose.conversations.findOne(noLimit)), all);
  assert.equal(await pathsOf(async () => loose.conversations.iterate(noLimit)), all);
});

test('operator problems in where come with the others (an encrypted field, a wrong value)', async () => {
  const paths = await pathsOf(() => loose.conversations.find({ where: { ssn: { ne: 'x' }, title: { gt: 1 } }, orderBy: { ssn: 'asc' } }));
  assert.equal(paths, ['orderBy.ssn', 'where.ssn.ne', 'where.title.gt']);
});

test('the problems of the query and of every included relation come in one error', async () => {
  const paths = await pathsOf(() => loose.conversations.find({
    where: { nope: 1 },
    select: ['zz'],
    include: { messages: { where: { nope: 1 }, select: ['zz'], orderBy: { qq: 'asc' }, limit: 0, include: { conversation: { select: ['yy'] } } } },
  }));
  assert.equal(paths, [
    'include.messages.include.conversation.select[0]',
    'include.messages.limit',
    'include.messages.orderBy.qq',
    'include.messages.select[0]',
    'include.messages.where.nope',
    'select[0]',
    'where.nope',
  ]);
});

test('an include problem alone keeps its include message; a valid query still reads', async () => {
  try {
    await loose.conversations.find({ include: { messages: { where: { nope: 1 } } } });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ValidationError);
    assert.match((error as Error).message, /^Invalid include: include\.messages\.where\.nope: unknown field/);
    assert.match((error as Error).message, /Fix the include to match the repository schema\.$/);
    assert.not.match((error as Error).message, /written/, 'a read says nothing of writes');
  }
  const rows = await db.conversations.find({ where: { title: 't' }, select: ['title'], include: { messages: { where: { seq: 1 } } } });
  assert.equal(rows.map((r) => [r.title, r.messages.length]), [['t', 1]]);
});

test('a write refused for its input says nothing was written; a refused read does not speak of writes', async () => {
  const messageOf = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      assert.instance(error, ValidationError);
      return (error as Error).message;
    }
    throw new Error('expected a ValidationError');
  };
  assert.match(await messageOf(() => loose.messages.find({ where: { nope: 1 } })), /^Invalid query: where\.nope: unknown field.*Fix the query to match the repository schema\.$/);
  assert.match(await messageOf(() => loose.messages.create({ nope: 1 })), /Fix the input to match the repository schema; nothing was written\.$/);
});

test('an orderBy list item with two keys is refused at its path, at any include level', async () => {
  const twoKeys = [{ seq: 'asc', id: 'desc' }];
  assert.equal(await pathsOf(() => loose.messages.find({ orderBy: twoKeys })), ['orderBy[0]']);
  assert.equal(await pathsOf(() => loose.conversations.find({ include: { messages: { orderBy: twoKeys } } })), ['include.messages.orderBy[0]']);
  const rows = await db.conversations.find({ include: { messages: { orderBy: [{ seq: 'asc' }, { id: 'desc' }] } } });
  assert.equal(rows.map((r) => r.messages.length), [1]);
});

test('aggregate reports where problems with its other problems', async () => {
  const paths = await pathsOf(() => loose.messages.aggregate({ where: { nope: 1 }, sum: ['zz'] }));
  assert.equal(paths, ['sum[0]', 'where.nope']);
});

test.after(async () => {
  await db.close();
});
test.run();
