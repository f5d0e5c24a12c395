import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f } from '@chatcore/core';
import type { NormalizedQuery, ThroughQuery } from '@chatcore/core/driver';
import { canonicalQuery } from '../src/cache-keys.js';
import { queryCheck } from '../src/entry-checks.js';

const where = { kind: 'in', field: 'conversationId', values: ['c1', 'c2'], negate: false } as const;
const base: NormalizedQuery = { where, orderBy: [{ field: 'createdAt', direction: 'desc' }, { field: 'id', direction: 'desc' }] };

test('a per-parent limit (include) is part of the query key: each limit and group field has its own entry', () => {
  const plain = canonicalQuery(base);
  const twenty = canonicalQuery({ ...base, limitPerGroup: { field: 'conversationId', limit: 20 } });
  const five = canonicalQuery({ ...base, limitPerGroup: { field: 'conversationId', limit: 5 } });
  const other = canonicalQuery({ ...base, limitPerGroup: { field: 'userId', limit: 20 } });
  assert.is(new Set([plain, twenty, five, other]).size, 4);
  assert.is(canonicalQuery({ ...base, limitPerGroup: { field: 'conversationId', limit: 20 } }), twenty, 'the same query, the same key');
});

test('anyOrder (exists: any matching rows will do) is part of the query key', () => {
  const ordered: NormalizedQuery = { ...base, orderBy: [{ field: 'id', direction: 'asc' }], limit: 1, select: ['id'] };
  assert.is.not(canonicalQuery({ ...ordered, anyOrder: true }), canonicalQuery(ordered));
  assert.is(canonicalQuery({ ...ordered, anyOrder: false }), canonicalQuery(ordered), 'false is the default');
});

const links = defineRepository('links', { id: f.id(), groupId: f.string(), personId: f.string() }).schema;
const through: ThroughQuery = { schema: links, field: 'groupId', targetField: 'personId', keys: ['g1', 'g2'], limit: 2 };
const people: NormalizedQuery = { orderBy: [{ field: 'rank', direction: 'desc' }, { field: 'id', direction: 'asc' }], through };

test('a many-to-many limit (through) is part of the query key: join, fields, parents and limit each count', () => {
  const keys = [
    people,
    { ...people, through: { ...through, limit: 3 } },
    { ...people, through: { ...through, keys: ['g1'] } },
    { ...people, through: { ...through, field: 'personId', targetField: 'groupId' } },
    { ...people, through: { ...through, schema: { ...links, name: 'other_links' } } },
  ].map(canonicalQuery);
  assert.is(new Set(keys).size, 5);
  assert.is(canonicalQuery({ ...people, through: { ...through } }), keys[0], 'the same query, the same key');
});

test('a through entry from the shared tier must hold rows of the asked parents, at most the limit each', () => {
  const check = queryCheck(people);
  const row = (id: string, parent: string) => ({ id, rank: 1, __parent: parent, __link: `l-${id}` });
  assert.is(check([row('a', 'g1'), row('b', 'g1'), row('a', 'g2')]), undefined);
  assert.is(check([row('a', 'g1'), row('b', 'g3')]), 'filter', 'a parent that was not asked for');
  assert.is(check([row('a', 'g1'), row('b', 'g1'), row('c', 'g1')]), 'limit', 'more rows than the limit for one parent');
  assert.is(check([{ id: 'a', rank: 1 }]), 'filter', 'a row without its parent');
});

test.run();
