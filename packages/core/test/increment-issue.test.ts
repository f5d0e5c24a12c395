import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f } from '@chatcore/core';
import { incrementIssue } from '@chatcore/core/plugin';

const counters = defineRepository('counters', { id: f.id(), n: f.integer({ min: 0, max: 100 }), x: f.number() });

test('incrementIssue names the value reached, unless told to conceal it', () => {
  assert.equal(incrementIssue(counters.schema, 'n', 105), { path: 'n.increment', message: 'the increment would take counters.n to 105, above its maximum of 100' });
  assert.equal(incrementIssue(counters.schema, 'n', 105, { conceal: true }), { path: 'n.increment', message: 'the increment would take counters.n above its maximum of 100' });
  assert.equal(incrementIssue(counters.schema, 'n', -3, { conceal: true }), { path: 'n.increment', message: 'the increment would take counters.n below its minimum of 0' });
  assert.equal(incrementIssue(counters.schema, 'x', Infinity, { conceal: true }), { path: 'x.increment', message: 'the result leaves the range of counters.x' });
  assert.is(incrementIssue(counters.schema, 'n', 100, { conceal: true }), undefined);
});

test.run();
