import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { sealedOperatorsScenario } from './helpers/sealed-operators-scenario.js';

const suffix = () => randomBytes(3).toString('hex');

test('memory: tests on sealed fields the schema does not mark sensitive raise ValidationError before the driver, as on sensitive() fields', async () => {
  await sealedOperatorsScenario('memory', memoryDriver(), suffix());
});

test('PGlite: tests on sealed fields the schema does not mark sensitive raise ValidationError before the driver, as on sensitive() fields', async () => {
  await sealedOperatorsScenario('pglite', pglite(), suffix());
});

test.run();
