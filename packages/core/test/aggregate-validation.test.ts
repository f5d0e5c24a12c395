import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';

const items = defineRepository('items', {
  id: f.id(), g: f.string().optional(), n: f.integer().optional(), tags: f.array(f.string()).optional(), meta: f.json().optional(),
});
const db = createDatabase({ driver: memoryDriver(), repositories: { items } });
await db.connect();
await db.items.createMany([{ g: 'a', n: 1, tags: ['x', 'y'] }, { g: 'b', n: 2, tags: ['y', 'x'] }, { g: 'b', n: 3, tags: [] }, { g: null, tags: null }]);

/** The issues of the ValidationError `query` is refused with. */
async function issuesOf(query: object): Promise<Array<{ path: string; message: string }>> {
  try {
    await db.items.aggregate(query as never);
  } catch (e) {
    assert.instance(e, ValidationError, JSON.stringify(query));
    return [...(e as ValidationError).issues];
  }
  assert.unreachable(`expected a ValidationError for ${JSON.stringify(query)}`);
  return [];
}

test('an array field is not a group key: groups are sorted and arrays have no order (as in orderBy)', async () => {
  const issues = await issuesOf({ groupBy: ['tags'], count: ['_all'] });
  assert.equal(issues.map((i) => i.path), ['groupBy[0]']);
  assert.match(issues[0]!.message, /an array field cannot be a group key/);
  const sort = await db.items.find({ orderBy: { tags: 'asc' } } as never).then(() => 'accepted', (e: unknown) => (e instanceof ValidationError ? 'refused' : String(e)));
  assert.is(sort, 'refused', 'orderBy on an array field is refused too');
  assert.equal((await issuesOf({ groupBy: ['meta'], count: ['_all'] })).map((i) => i.path), ['groupBy[0]']);
});

test('an empty measure in orderBy is refused, naming its path, instead of being ignored', async () => {
  const issues = await issuesOf({ groupBy: ['g'], sum: ['n'], orderBy: { sum: {} } });
  assert.equal(issues.map((i) => i.path), ['orderBy.sum']);
  assert.match(issues[0]!.message, /name the measured field/);
  assert.equal((await issuesOf({ groupBy: ['g'], count: ['_all'], orderBy: [{ g: 'desc' }, {}] })).map((i) => i.path), ['orderBy[1]']);
  assert.equal((await issuesOf({ groupBy: ['g'], count: ['_all'], orderBy: {} })).map((i) => i.path), ['orderBy']);
});

test('a refused measure is the only issue reported; asking for nothing still says what to ask for', async () => {
  const onlyBad = await issuesOf({ min: ['tags'] });
  assert.equal(onlyBad.map((i) => i.path), ['min[0]']);
  assert.not.match(onlyBad[0]!.message, /at least one/);
  const unknown = await issuesOf({ sum: ['nope'] });
  assert.equal(unknown.map((i) => i.path), ['sum[0]']);
  const empty = await issuesOf({ count: [] });
  assert.equal(empty.map((i) => i.path), ['count']);
  const nothing = await issuesOf({});
  assert.equal(nothing.map((i) => i.path), ['(aggregate)']);
  assert.match(nothing[0]!.message, /at least one of count, sum/);
  const stray = await issuesOf({ having: { n: 1 } });
  assert.equal(stray.map((i) => i.path), ['having', '(aggregate)']);
});

test('valid aggregates still run: groups sorted by a measure, then by the group', async () => {
  const found = await db.items.aggregate({ groupBy: ['g'], sum: ['n'], orderBy: { sum: { n: 'desc' } } });
  assert.equal(found.map((r) => [r.group.g, r.sum.n]), [['b', 5], ['a', 1], [null, null]]);
});

test.after(async () => {
  await db.close();
});
test.run();
