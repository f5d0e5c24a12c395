import { registerSection } from '@chatcore/core/config';
import { encryptionOptionsFromConfig, encryptionSection } from './encryption-section.js';
import { encryption } from './encryption-plugin.js';

// Importing @chatcore/encryption makes the `encryption` section of
// chatcore.yaml known: below audit, above the cache (rank 30), so that
// everything under it sees only ciphertext.
registerSection({
  name: 'encryption',
  package: '@chatcore/encryption',
  schema: encryptionSection,
  rank: 30,
  build: (section) => encryption(encryptionOptionsFromConfig(section)),
});

export { encryptionSection, encryptionOptionsFromConfig, type EncryptionSection } from './encryption-section.js';
