import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { indexAttackScenario } from './helpers/index-attack-scenario.js';
import { plantedIncludeScenario } from './helpers/planted-include-scenario.js';
import { sqlAccess } from './helpers/raw-access.js';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import type { Condition } from '@chatcore/core/plugin';
import { encryption } from '../src/index.js';
import { pluginState } from '../src/encryption-plugin.js';
import { IndexChecks } from '../src/index-verification.js';
import { rewriteCondition } from '../src/query-rewriter.js';
import { randomKey } from './helpers/keys.js';

// The blind-index substitution attack, with the write done below chatcore
// (PostgreSQL and the Firestore emulator: postgres.test.ts, firestore.test.ts).

test('memory: a copied blind index never returns another record', async () => {
  const driver = memoryDriver();
  await indexAttackScenario(driver, 'm', {
    read: async (schema, id, field) => (await driver.getByIds(schema, [id], {}))[0]![field],
    write: async (schema, id, set) => void (await driver.update(schema, { ids: [id] }, { set, increment: {} }, {})),
  });
});

test('PGlite: a blind index copied with raw SQL never returns another record', async () => {
  const driver = pglite();
  await indexAttackScenario(driver, randomBytes(3).toString('hex'), sqlAccess(driver));
});

test('memory: a planted blind index does not hide the real match of an include limited per parent', async () => {
  const driver = memoryDriver();
  await plantedIncludeScenario(driver, 'm', {
    read: async (schema, id, field) => (await driver.getByIds(schema, [id], {}))[0]![field],
    write: async (schema, id, set) => void (await driver.update(schema, { ids: [id] }, { set, increment: {} }, {})),
  });
});

test('PGlite: a planted blind index does not hide the real match of an include limited per parent', async () => {
  const driver = pglite();
  await plantedIncludeScenario(driver, randomBytes(3).toString('hex'), sqlAccess(driver));
});

test('a row agrees with a lookup exactly when the blind index hashes the same encoding (text compared as well-formed strings)', async () => {
  const people = defineRepository('people_agree', {
    id: f.id(),
    email: f.string().sensitive({ searchable: true, normalize: { caseFold: true, trim: true } }),
    age: f.integer().sensitive({ searchable: true }),
  });
  const enc = encryption({ rootKey: randomKey() });
  const db = createDatabase({ driver: memoryDriver(), repositories: { people }, plugins: [enc] });
  await db.connect();
  try {
    const plan = pluginState(enc).plans.get('people_agree')!;
    const checksOf = (where: Condition) => {
      const rewritten = rewriteCondition(plan, where)!;
      const checks = IndexChecks.of(plan, where, rewritten)!;
      const index = (rewritten as Extract<Condition, { kind: 'cmp' }>).value;
      return (field: string, value: unknown) => checks.agrees({ [`${field}Bidx`]: index }, { [field]: value });
    };
    // Normalized like the blind index: trim, case folding.
    const email = checksOf({ kind: 'cmp', field: 'email', op: 'eq', value: ' Ada@Example.COM' });
    assert.ok(email('email', 'ada@example.com'));
    assert.not.ok(email('email', 'ada@example.co'));
    // A lone surrogate is encoded as U+FFFD: the same blind index, so the two agree; anything else does not.
    const lone = checksOf({ kind: 'cmp', field: 'email', op: 'eq', value: 'x\ud800' });
    assert.ok(lone('email', 'x\ufffd'));
    assert.not.ok(lone('email', 'x'));
    // Other types compare their encodings.
    const age = checksOf({ kind: 'cmp', field: 'age', op: 'eq', value: 42 });
    assert.ok(age('age', 42));
    assert.not.ok(age('age', 43));
  } finally {
    await db.close();
  }
});

test.run();
