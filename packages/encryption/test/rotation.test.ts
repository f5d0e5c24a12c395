import { test } from 'uvu';
import { memoryDriver } from '@chatcore/core';
import { rotationScenario } from './helpers/rotation-scenario.js';

test('rotation on memory: 10k rows re-encrypted under a live writer, then the old key retires', async () => {
  await rotationScenario(memoryDriver(), 'mem');
});

test.run();
