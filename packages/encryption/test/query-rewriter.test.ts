import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnsupportedQueryError } from '@chatcore/core';
import type { Condition } from '@chatcore/core/plugin';
import { planRepositories } from '../src/repository-plan.js';
import { rewriteCondition } from '../src/query-rewriter.js';
import { KEY_A } from './helpers/keys.js';
import { messages, users } from './helpers/schemas.js';

// Core refuses these first; the plugin refuses them too when another plugin sends them below core's checks.
const plans = planRepositories('encryption', [users.schema, messages.schema], { keys: [{ id: 'k1', key: KEY_A }] });

test('ne and notIn on a searchable field (field mode or sealed) raise UnsupportedQueryError, never a blind-index inequality', () => {
  for (const [repo, field] of [['users', 'email'], ['messages', 'author']] as const) {
    const plan = plans.get(repo)!;
    const refused: Condition[] = [
      { kind: 'cmp', field, op: 'ne', value: 'x' },
      { kind: 'in', field, values: ['x', 'y'], negate: true },
      { kind: 'or', conditions: [{ kind: 'isNull', field, isNull: true }, { kind: 'cmp', field, op: 'ne', value: 'x' }] },
    ];
    for (const cond of refused) {
      assert.throws(() => rewriteCondition(plan, cond), (e: Error) => e instanceof UnsupportedQueryError && e.message.includes(`${repo}.${field}`), `${repo}.${field} ${JSON.stringify(cond)}`);
    }
  }
});

test.run();
