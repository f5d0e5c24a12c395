import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '@chatcore/core';
import { firestore, type FirestoreOptions } from '../src/index.js';

test('firestore() refuses an unknown option with a hint (emulator_host would reach the real project)', () => {
  const options = { projectId: 'demo-keys', emulator_host: '127.0.0.1:8080' };
  try {
    firestore(options as FirestoreOptions);
    assert.unreachable('emulator_host was accepted');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, 'firestore.emulator_host: unknown option (did you mean emulatorHost?)');
  }
});

test.run();
