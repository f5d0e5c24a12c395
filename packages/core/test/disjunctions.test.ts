import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Condition } from '@chatcore/core/plugin';
import { disjunctions } from '../src/query/disjunctions.js';

const inList = (field: string, n: number, negate = false): Condition => ({ kind: 'in', field, values: Array.from({ length: n }, (_, i) => i), negate });

test('disjunctions counts in values and or branches, multiplied by and', () => {
  assert.is(disjunctions(undefined), 1);
  assert.is(disjunctions({ kind: 'cmp', field: 'a', op: 'eq', value: 1 }), 1);
  assert.is(disjunctions(inList('a', 10)), 10);
  assert.is(disjunctions(inList('a', 10, true)), 1, 'notIn is one test');
  assert.is(disjunctions({ kind: 'and', conditions: [inList('a', 10), inList('b', 4)] }), 40);
  assert.is(disjunctions({ kind: 'or', conditions: [inList('a', 3), { kind: 'isNull', field: 'b', isNull: true }] }), 4);
  assert.is(disjunctions({ kind: 'and', conditions: [inList('a', 2), { kind: 'or', conditions: [inList('b', 2), { kind: 'startsWith', field: 'c', prefix: 'x', negate: true }] }] }), 8);
});

test.run();
