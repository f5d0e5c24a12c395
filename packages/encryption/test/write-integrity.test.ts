import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import type { RawAccess } from './helpers/index-attack-scenario.js';
import { sqlAccess } from './helpers/raw-access.js';
import { writeIntegrityScenario } from './helpers/write-integrity-scenario.js';

const suffix = () => randomBytes(3).toString('hex');

test('memory: a write that finds its record tampered raises IntegrityError, writes nothing and reports one integrity_failure event', async () => {
  const driver = memoryDriver();
  const raw: RawAccess = {
    read: async (schema, id, field) => (await driver.getByIds(schema, [id], {}))[0]![field] ?? null,
    write: async (schema, id, set) => void (await driver.update(schema, { ids: [id] }, { set, increment: {} }, {})),
  };
  await writeIntegrityScenario(driver, suffix(), raw, 'console');
});

test('PGlite: a write that finds its record tampered (raw SQL) raises IntegrityError, writes nothing and reports one integrity_failure event to the audit outbox', async () => {
  const driver = pglite();
  await writeIntegrityScenario(driver, suffix(), sqlAccess(driver), 'outbox');
});

test.run();
