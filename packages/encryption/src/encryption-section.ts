import { c, type InferConfig } from '@chatcore/core/config';
import { isValidKeyId } from './crypto/ciphertext-format.js';
import { keyTextProblem, MIN_PASSPHRASE_LENGTH, passphraseSaltProblem } from './keys/key-source.js';
import type { EncryptionOptions } from './encryption-options.js';

const FIELD_REF = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/;
const fieldRef = () => c.string({ max: 200, pattern: FIELD_REF, patternHint: 'a field name or repository.field' });
const keyId = () => c.string({ max: 64 }).check((id) => (isValidKeyId(id) ? undefined : 'expected a key id: 1-64 letters, digits, . _ -'));
// The same checks encryption() runs when it builds the keyring, so the file and the plugin accept the same keys.
const keyText = () => c.string({ max: 1024 }).secret().check(keyTextProblem);

/**
 * One entry of `keys`: a raw key, or a passphrase with its stored salt.
 * Checked here rather than value by value, so every message names the key
 * id, as encryption() does, and with the rules the top-level passphrase has.
 */
const keyEntry = c.object(
  {
    id: keyId(),
    key: c.string({ max: 1024 }).secret().describedAs('32 random bytes in base64 or hex (`openssl rand -base64 32`).'),
    passphrase: c.string({ max: 1024 }).secret().describedAs(`Instead of key: a passphrase (at least ${MIN_PASSPHRASE_LENGTH} characters) with its salt; stretched with PBKDF2 at start-up.`),
    salt: c.string({ max: 1024 }).secret().describedAs('Required with passphrase: its stored salt (e.g. 16 random bytes in base64); changing it changes the key.'),
    active: c.boolean().default(false),
  },
  {
    required: ['id'],
    refine(k, fail, failed) {
      const name = k.id === undefined ? 'this key' : `key ${k.id}`;
      if (k.key !== undefined && k.passphrase !== undefined) {
        fail('passphrase', `${name} has both key and passphrase: they are alternatives, keep one`);
        return;
      }
      if (k.key === undefined && k.passphrase === undefined) {
        if (!failed('key') && !failed('passphrase')) fail(null, `${name} has no key material: give key (32 random bytes, base64) or passphrase with salt`);
        return;
      }
      if (k.key !== undefined) {
        const problem = keyTextProblem(k.key);
        if (problem) fail('key', `${name} ${problem}`);
        if (k.salt !== undefined) fail('salt', `${name}: salt goes with passphrase only; remove it`);
        return;
      }
      if (k.passphrase!.length < MIN_PASSPHRASE_LENGTH) fail('passphrase', `${name}: the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
      if (k.salt === undefined) {
        if (!failed('salt')) fail('salt', `${name}: salt is required with passphrase (e.g. 16 random bytes in base64: \`openssl rand -base64 16\`)`);
        return;
      }
      const saltProblem = passphraseSaltProblem(k.salt);
      if (saltProblem) fail('salt', `${name}: ${saltProblem}`);
    },
  },
);

/**
 * The `encryption` section of chatcore.yaml, owned by `@chatcore/encryption`.
 * Exactly one key source: `root_key`, `passphrase` (with `passphrase_salt`),
 * or `keys` (a keyring for rotation, one of them active; each entry a key or a
 * passphrase with its salt). Every key value is
 * secret, and each is checked with the rule `encryption()` applies.
 *
 * @example
 * ```ts
 * import { encryptionSection } from '@chatcore/encryption';
 * Object.keys(encryptionSection.state.shape ?? {}); // ['rootKey', 'passphrase', ...]
 * ```
 */
export const encryptionSection = c.object(
  {
    rootKey: keyText().describedAs('Root key: 32 random bytes in base64 or hex (`openssl rand -base64 32`); subkeys are derived with HKDF.'),
    passphrase: c.string({ min: MIN_PASSPHRASE_LENGTH, max: 1024 }).secret().describedAs('A passphrase instead of a root key; stretched with PBKDF2 at start-up.'),
    passphraseSalt: c.string({ max: 1024 }).secret().check(passphraseSaltProblem)
      .describedAs('The stored salt of the passphrase (e.g. 16 random bytes in base64); changing it changes the key.'),
    keyId: keyId().describedAs('Id written into new ciphertexts with root_key or passphrase (default k1).'),
    keys: c.list(keyEntry, { min: 1 })
      .describedAs('A keyring for rotation: { id, key, active } or { id, passphrase, salt, active }; one key is active: true (a single key may omit it).'),
    sensitiveFields: c.list(fieldRef()).describedAs('Fields to encrypt besides those marked sensitive(): field or repository.field.'),
    blindIndex: c.object({
      key: keyText().describedAs('Separate key for blind indexes (HMAC); derived from the root key when absent.'),
      fields: c.list(fieldRef()).describedAs('Fields to make searchable by equality.'),
    }),
  },
  {
    refine(enc, fail, failed) {
      const sources = [enc.rootKey, enc.passphrase, enc.keys].filter((x) => x !== undefined).length;
      if (sources === 0 && !failed('rootKey') && !failed('passphrase') && !failed('keys')) fail(null, 'no key: set root_key (e.g. ${CHATCORE_ROOT_KEY}), passphrase, or keys');
      if (sources > 1) fail(null, 'root_key, passphrase and keys are alternatives: keep one');
      if (enc.passphrase !== undefined && enc.passphraseSalt === undefined && !failed('passphraseSalt')) fail('passphraseSalt', 'required with passphrase');
      if (enc.keys) {
        const active = enc.keys.filter((k) => k.active).length;
        // A single key needs no mark: it is the active key, as in encryption({ keys: [{ id, key }] }).
        const unmarkedSingle = enc.keys.length === 1 && active === 0;
        if (active !== 1 && !unmarkedSingle) fail('keys', `exactly one key must be active: true (found ${active})`);
        const ids = enc.keys.map((k) => k.id);
        if (new Set(ids).size !== ids.length) fail('keys', 'key ids must be unique');
        if (enc.keyId !== undefined) fail('keyId', 'with keys, mark the active key with active: true instead of key_id');
      }
    },
  },
);

/**
 * The checked `encryption` section, camelCased.
 *
 * @example
 * ```ts
 * const section: EncryptionSection = { rootKey: process.env.CHATCORE_ROOT_KEY!, sensitiveFields: ['ssn'] };
 * ```
 */
export type EncryptionSection = InferConfig<typeof encryptionSection>;

declare module '@chatcore/core/config' {
  interface ConfigSections {
    encryption: EncryptionSection;
  }
}

/**
 * `encryption()` options from the checked `encryption` section (the keys
 * map one to one; a `keys` entry, `{ id, key }` or `{ id, passphrase, salt }`,
 * is a KeyOption as it is).
 *
 * @example
 * ```ts
 * encryptionOptionsFromConfig({ rootKey: process.env.CHATCORE_ROOT_KEY! }); // { rootKey }
 * ```
 */
export function encryptionOptionsFromConfig(section: EncryptionSection): EncryptionOptions {
  return { ...section };
}
