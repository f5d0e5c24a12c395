import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { sqlAccess } from './helpers/raw-access.js';
import { dropSuffixedTables } from './helpers/suffixed-tables.js';
import { writeIntegrityScenario } from './helpers/write-integrity-scenario.js';

await requireService('postgres');
const url = 'postgres://postgres@127.0.0.1:5432/test';

test('PostgreSQL: a write that finds its record tampered (raw SQL) raises IntegrityError, writes nothing and reports one integrity_failure event to the audit outbox', async () => {
  const suffix = randomBytes(3).toString('hex');
  const driver = postgres({ url });
  try {
    await writeIntegrityScenario(driver, suffix, sqlAccess(driver), 'outbox');
  } finally {
    await dropSuffixedTables(url, suffix);
  }
});

test.run();
