import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '@chatcore/core';
import { encryption } from '../src/index.js';
import { KEY_A } from './helpers/keys.js';

// `encryption({ rootKey: process.env.CHATCORE_ROOT_KEY! })` with the variable
// unset passes rootKey: undefined; that must not fall back to
// CHATCORE_ENCRYPTION_KEY (another key than the one meant) without a word.

function withEnv(value: string | undefined, fn: () => void): void {
  const saved = process.env.CHATCORE_ENCRYPTION_KEY;
  if (value === undefined) delete process.env.CHATCORE_ENCRYPTION_KEY;
  else process.env.CHATCORE_ENCRYPTION_KEY = value;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env.CHATCORE_ENCRYPTION_KEY;
    else process.env.CHATCORE_ENCRYPTION_KEY = saved;
  }
}

test('rootKey: undefined (an unset variable) is refused, even when CHATCORE_ENCRYPTION_KEY is set', () => {
  for (const env of [KEY_A, undefined]) {
    withEnv(env, () => {
      try {
        encryption({ rootKey: process.env.CHATCORE_TEST_UNSET_ROOT_KEY });
        assert.unreachable('rootKey: undefined was accepted');
      } catch (e) {
        assert.instance(e, ConfigError);
        assert.match((e as Error).message, 'rootKey is undefined: the environment variable you read it from is probably unset');
      }
    });
  }
});

test('without any key option the key still comes from CHATCORE_ENCRYPTION_KEY', () => {
  withEnv(KEY_A, () => {
    encryption();
    encryption({ sensitiveFields: ['ssn'] });
  });
  withEnv(undefined, () => assert.throws(() => encryption(), (e: Error) => e instanceof ConfigError && e.message.includes('CHATCORE_ENCRYPTION_KEY')));
});

test.run();
