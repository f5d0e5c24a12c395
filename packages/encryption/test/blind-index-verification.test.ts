import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { indexAttackScenario } from './helpers/index-attack-scenario.js';
import { sqlAccess } from './helpers/raw-access.js';

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

test.run();
