import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../src/index.js';

test('the package root exports what applications and operators use, and no low-level crypto', () => {
  assert.equal(Object.keys(api).sort(), [
    'EncryptionPlugin', 'Keyring', 'MIN_PASSPHRASE_LENGTH', 'MIN_PASSPHRASE_SALT_LENGTH', 'MIN_PBKDF2_ITERATIONS', 'defaultKeyProvider', 'encryption',
    // The package owns the `encryption` section of chatcore.yaml.
    'encryptionOptionsFromConfig', 'encryptionSection', 'keyringFromEnv', 'localKeyProvider',
  ]);
  for (const internal of ['ValueCipher', 'gcmSeal', 'gcmOpen', 'encodeValue', 'decodeValue', 'contextBytes', 'buildAad', 'BlindIndexer', 'OneShotHmac', 'RowAuthenticator', 'normalizeForIndex', 'parseCiphertext', 'headerFor', 'keyIdOf', 'FORMAT_V1']) {
    assert.not.ok(internal in api, internal);
  }
});

test.run();
