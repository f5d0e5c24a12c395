import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { sealedOperatorsScenario } from './helpers/sealed-operators-scenario.js';
import { dropSuffixedTables } from './helpers/suffixed-tables.js';

await requireService('postgres');
const url = 'postgres://postgres@127.0.0.1:5432/test';

test('PostgreSQL: tests on sealed fields the schema does not mark sensitive raise ValidationError before the driver, as on sensitive() fields', async () => {
  const suffix = randomBytes(3).toString('hex');
  try {
    await sealedOperatorsScenario('postgres', postgres({ url }), suffix);
  } finally {
    await dropSuffixedTables(url, suffix);
  }
});

test.run();
