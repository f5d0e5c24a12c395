import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f, AbortedError, ConnectionError, UniqueViolationError } from '@chatcore/core';
import { memoryDriver, type NormalizedQuery } from '@chatcore/core/driver';
import { compareStrings } from '../src/memory/compare-values.js';

// The memory driver through the Driver interface itself: what the
// conformance suite (which goes through createDatabase) cannot observe.
const items = defineRepository('items', {
  id: f.id(),
  name: f.string(),
  rank: f.integer().optional(),
  email: f.string().unique().optional(),
  tags: f.array(f.string()),
  at: f.timestamp(),
  version: f.version(),
}, { unique: [['name', 'rank']] });
const schema = items.schema;
const byId: NormalizedQuery = { orderBy: [{ field: 'id', direction: 'asc' }] };
const row = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id, rank: null, email: null, tags: ['t'], at: new Date(1000), version: 1, ...extra });

test('insert copies rows in: changing the caller\'s row afterwards does not change the store', async () => {
  const d = memoryDriver();
  const r = row('a');
  await d.insert(schema, [r], {});
  (r.tags as string[]).push('x');
  (r.at as Date).setTime(0);
  r.name = 'changed';
  const [stored] = await d.getByIds(schema, ['a'], {});
  assert.equal(stored!.tags, ['t']);
  assert.is((stored!.at as Date).getTime(), 1000);
  assert.is(stored!.name, 'a');
});

test('reads copy rows out: changing a returned row does not change the store', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a')], {});
  const [got] = await d.query(schema, byId, {});
  (got!.tags as string[]).push('x');
  const [again] = await d.getByIds(schema, ['a'], {});
  assert.equal(again!.tags, ['t']);
});

test('getByIds with select returns id and the selected fields only', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', { rank: 2 })], {});
  assert.equal(await d.getByIds(schema, ['a', 'missing'], { select: ['id', 'rank'] }), [{ id: 'a', rank: 2 }]);
});

test('insert of a batch with one unique violation writes nothing and names the constraint', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', { email: 'x@y' })], {});
  try {
    await d.insert(schema, [row('b'), row('c', { email: 'x@y' })], {});
    assert.unreachable('should conflict');
  } catch (error) {
    assert.instance(error, UniqueViolationError);
    assert.equal((error as UniqueViolationError).info.fields, ['email']);
  }
  assert.is(await d.count(schema, undefined, {}), 1);
});

test('composite unique keys with a null part never conflict', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', { name: 'n', rank: null }), row('b', { name: 'n', rank: null })], {});
  await d.insert(schema, [row('c', { name: 'n', rank: 1 })], {});
  try {
    await d.insert(schema, [row('d', { name: 'n', rank: 1 })], {});
    assert.unreachable('should conflict');
  } catch (error) {
    assert.equal((error as UniqueViolationError).info.fields, ['name', 'rank']);
  }
});

test('update applies set and increments together and returns the updated rows; delete returns the ids', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', { rank: 1 }), row('b', { rank: 5 }), row('c')], {});
  const updated = await d.update(schema, { where: { kind: 'cmp', field: 'rank', op: 'lt', value: 3 } }, { set: { name: 'low' }, increment: { rank: 10, version: 1 } }, {});
  assert.equal(updated.map((r) => [r.id, r.name, r.rank, r.version]), [['a', 'low', 11, 2]]);
  const deleted = await d.delete(schema, { ids: ['a', 'c', 'zz'], where: { kind: 'isNull', field: 'rank', isNull: true } }, {});
  assert.equal(deleted, ['c']);
});

test('upsert reports whether it created the row and applies the patch on a conflict', async () => {
  const d = memoryDriver();
  const first = await d.upsert(schema, row('a', { email: 'e' }), { conflictFields: ['email'], patch: { set: { name: 'patched' }, increment: { version: 1 } } }, {});
  assert.is(first.created, true);
  const second = await d.upsert(schema, row('b', { email: 'e' }), { conflictFields: ['email'], patch: { set: { name: 'patched' }, increment: { version: 1 } } }, {});
  assert.is(second.created, false);
  assert.equal([second.row.id, second.row.name, second.row.version], ['a', 'patched', 2]);
});

test('strings sort by code point (UTF-8 byte order), not UTF-16 code units', () => {
  // U+FF5E is above every BMP letter but below astral characters like U+1F600.
  assert.ok(compareStrings('\uFF5E', '\u{1F600}') < 0);
  assert.ok('\uFF5E' > '\u{1F600}', 'plain JS comparison would get this wrong');
  assert.ok(compareStrings('B', 'a') < 0);
  assert.ok(compareStrings('ab', 'abc') < 0);
  assert.is(compareStrings('é', 'é'), 0);
});

test('an aborted signal raises AbortedError before anything is written', async () => {
  const d = memoryDriver();
  const ac = new AbortController();
  ac.abort();
  try {
    await d.insert(schema, [row('a')], { signal: ac.signal });
    assert.unreachable('should abort');
  } catch (error) {
    assert.instance(error, AbortedError);
  }
  assert.is(await d.count(schema, undefined, {}), 0);
});

test('a closed driver raises ConnectionError; close is idempotent and health reports down', async () => {
  const d = memoryDriver();
  await d.close();
  await d.close();
  try {
    await d.count(schema, undefined, {});
    assert.unreachable('should fail');
  } catch (error) {
    assert.instance(error, ConnectionError);
  }
  assert.is((await d.health()).status, 'down');
});

test('declared capabilities can be narrowed for testing core', () => {
  const d = memoryDriver({ capabilities: { offset: false } });
  assert.is(d.capabilities.offset, false);
  assert.is(d.capabilities.or, true);
  assert.is(memoryDriver().capabilities.offset, true);
});

test.run();
