import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NormalizedQuery } from '@chatcore/core/driver';
import { canonicalQuery } from '../src/cache-keys.js';

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

test.run();
