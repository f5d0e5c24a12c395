import { suite } from 'uvu';
import type { RepositorySchema } from '@chatcore/core/driver';
import { runConformanceSuite } from '@chatcore/core/conformance';
import { requireService } from '@chatcore/core/testing';
import { dropTables } from '@chatcore/sql/testing';
import { postgres } from '../src/index.js';
import { testConfig } from './helpers/pg-config.js';

await requireService('postgres');

// The suite uses randomly suffixed tables; remember them to drop them at the end.
const tables = new Set<string>();
function createDriver() {
  const driver = postgres(testConfig());
  const ensure = driver.ensureSchema.bind(driver);
  driver.ensureSchema = (schemas: readonly RepositorySchema[], options) => {
    for (const s of schemas) tables.add(s.table);
    return ensure(schemas, options);
  };
  return driver;
}

await runConformanceSuite({ name: 'postgres', createDriver });

const teardown = suite('postgres: teardown');
teardown('the suite tables are dropped', async () => {
  const admin = postgres(testConfig({ poolSize: 1 }));
  try {
    await dropTables(admin.executor, [...tables]);
  } finally {
    await admin.close();
  }
});
teardown.run();
