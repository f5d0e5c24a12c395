import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ValidationError } from '@chatcore/core';
import { integerOption } from '@chatcore/core/plugin';
import { configErrorOf } from '@chatcore/core/testing';

test('configErrorOf returns the ConfigError thrown, with its message and problems', () => {
  const error = configErrorOf(() => integerOption(0, 'cache.localMaxEntries', { min: 1 }));
  assert.instance(error, ConfigError);
  assert.is(error.message, 'cache.localMaxEntries: expected an integer >= 1, got a number 0.');
  assert.equal(error.problems.map((p) => p.path), ['cache.localMaxEntries']);
});

test('configErrorOf fails when nothing is thrown', () => {
  assert.throws(() => configErrorOf(() => integerOption(5, 'x.n', { min: 1 })), /expected a ConfigError, but nothing was thrown/);
});

test('configErrorOf fails on an error of another class, naming it and keeping it as the cause', () => {
  const other = new TypeError('not a config problem');
  let failure: unknown;
  try {
    configErrorOf(() => { throw other; });
  } catch (error) {
    failure = error;
  }
  assert.instance(failure, Error);
  assert.not.instance(failure, ConfigError);
  assert.is((failure as Error).message, 'expected a ConfigError, got TypeError: not a config problem');
  assert.is((failure as Error).cause, other);
  assert.throws(() => configErrorOf(() => { throw new ValidationError([{ path: 'name', message: 'too long' }]); }), /expected a ConfigError, got ValidationError/);
});

test.run();
