import { test } from 'uvu';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { planEncryptionTests } from './helpers/plan-encryption.js';

// One in-memory database per scope.
const clients = new Map<string, Awaited<ReturnType<typeof startInMemory>>>();
planEncryptionTests(test, async (scope) => {
  if (!clients.has(scope)) clients.set(scope, await startInMemory(defaultTemplateCache()));
  return sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client: clients.get(scope)! }) });
});
test.after(() => Promise.all([...clients.values()].map((c) => c.close())));
test.run();
