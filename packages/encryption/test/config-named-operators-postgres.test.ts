import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { namedOperatorsScenario } from './helpers/named-operators-scenario.js';
import { dropSuffixedTables } from './helpers/suffixed-tables.js';

await requireService('postgres');
const url = 'postgres://postgres@127.0.0.1:5432/test';

test('PostgreSQL: ne, notIn, not over eq / in and other refused operators on a field named in sensitiveFields raise the ValidationError of a sensitive() field', async () => {
  const suffix = randomBytes(3).toString('hex');
  try {
    await namedOperatorsScenario('postgres', postgres({ url }), suffix);
  } finally {
    await dropSuffixedTables(url, suffix);
  }
});

test.run();
