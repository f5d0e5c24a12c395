import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '@chatcore/core';
import { metrics, type MetricsOptions } from '../src/index.js';

test('metrics() refuses an unknown option with a hint (an object built in a variable escapes tsc)', () => {
  const options = { prefx: 'app_' };
  try {
    metrics(options as MetricsOptions);
    assert.unreachable('prefx was accepted');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, 'metrics.prefx: unknown option (did you mean prefix?)');
  }
});

test('known keys set to undefined stay allowed', () => {
  metrics({ prefix: undefined, activeSpan: undefined });
});

test.run();
