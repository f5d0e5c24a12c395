import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { namedOperatorsScenario } from './helpers/named-operators-scenario.js';

const suffix = () => randomBytes(3).toString('hex');

test('memory: ne, notIn, not over eq / in and other refused operators on a field named in sensitiveFields raise the ValidationError of a sensitive() field', async () => {
  await namedOperatorsScenario('memory', memoryDriver(), suffix());
});

test('PGlite: ne, notIn, not over eq / in and other refused operators on a field named in sensitiveFields raise the ValidationError of a sensitive() field', async () => {
  await namedOperatorsScenario('pglite', pglite(), suffix());
});

test.run();
