import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionFields, type Condition } from '@chatcore/core/plugin';

test('conditionFields collects every field of a nested and/or tree, once each', () => {
  const where: Condition = {
    kind: 'and',
    conditions: [
      { kind: 'cmp', field: 'age', op: 'gte', value: 18 },
      { kind: 'or', conditions: [{ kind: 'isNull', field: 'email', isNull: true }, { kind: 'in', field: 'age', values: [20, 30], negate: false }] },
      { kind: 'startsWith', field: 'name', prefix: 'A', negate: true },
    ],
  };
  assert.equal([...conditionFields(where)].sort(), ['age', 'email', 'name']);
});

test('conditionFields adds to the set it is given, and a missing or empty condition adds nothing', () => {
  const out = new Set(['kept']);
  assert.is(conditionFields({ kind: 'cmp', field: 'score', op: 'lt', value: 1 }, out), out);
  assert.equal([...out].sort(), ['kept', 'score']);
  assert.equal([...conditionFields(undefined)], []);
  assert.equal([...conditionFields({ kind: 'or', conditions: [] })], []);
});

test.run();
