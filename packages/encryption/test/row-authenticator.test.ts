import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { rollbackScenario } from './helpers/rollback-scenario.js';
import { sqlAccess } from './helpers/raw-access.js';

// Partial rollback written below chatcore (PostgreSQL and the Firestore
// emulator: postgres.test.ts, firestore.test.ts).

/** The same driver for a second database: the first database's close() leaves it open. */
function keepOpen<D extends Driver>(driver: D): D {
  return new Proxy(driver, { get: (t, p, r) => (p === 'close' ? async () => undefined : Reflect.get(t, p, r)) });
}

test('memory: an older ciphertext or envelope written back fails with IntegrityError', async () => {
  const driver = memoryDriver();
  await rollbackScenario(keepOpen(driver), 'm', {
    read: async (schema, id, field) => (await driver.getByIds(schema, [id], {}))[0]![field],
    write: async (schema, id, set) => void (await driver.update(schema, { ids: [id] }, { set, increment: {} }, {})),
  }, () => driver);
});

test('PGlite: an older ciphertext or envelope written back with raw SQL fails with IntegrityError', async () => {
  const driver = pglite();
  await rollbackScenario(keepOpen(driver), randomBytes(3).toString('hex'), sqlAccess(driver), () => driver);
});

test.run();
