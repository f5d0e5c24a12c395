import { test } from 'uvu';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';
import { planEncryptionTests } from './helpers/plan-encryption.js';

// One database per scope, dropped at the end.
const databases = new Map<string, Awaited<ReturnType<typeof freshDatabase>>>();
planEncryptionTests(test, async (scope) => {
  if (!databases.has(scope)) databases.set(scope, await freshDatabase());
  return pgDriver(databases.get(scope)!.url);
});
test.after(() => Promise.all([...databases.values()].map((d) => d.drop())));
test.run();
