import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { pglite } from '@chatcore/pglite';
import { integrityInTransactionScenario } from './helpers/audit-outbox-scenario.js';

test('PGlite: an integrity failure inside a transaction reaches the audit outbox', async () => {
  await integrityInTransactionScenario(pglite(), randomBytes(4).toString('hex'));
});

test.run();
