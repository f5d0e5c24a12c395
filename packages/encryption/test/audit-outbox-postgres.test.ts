import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { integrityInTransactionScenario } from './helpers/audit-outbox-scenario.js';
import { dropTables } from './helpers/raw-access.js';

await requireService('postgres');
const url = 'postgres://postgres@127.0.0.1:5432/test';

test('PostgreSQL: an integrity failure inside a transaction reaches the audit outbox', async () => {
  const tables = await integrityInTransactionScenario(postgres({ url }), randomBytes(4).toString('hex'));
  const cleanup = postgres({ url });
  await cleanup.connect();
  try {
    await dropTables(cleanup, tables);
  } finally {
    await cleanup.close();
  }
});

test.run();
