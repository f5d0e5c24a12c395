import type { SearchNormalization } from '@chatcore/core/plugin';
import type { KeyProvider } from './keys/key-provider.js';
import type { KeySource } from './keys/key-source.js';
import type { SecurityEvent } from '@chatcore/core';
import type { SecretValue } from '@chatcore/core/plugin';

/**
 * A field to encrypt that the schema does not mark `sensitive()`: a name
 * (`'ssn'` matches that field, or its snake_case column, in every
 * repository; `'users.ssn'` one repository), or an object with search options.
 *
 * @example
 * ```ts
 * const fields: SensitiveFieldOption[] = ['ssn', { field: 'users.phone', searchable: true, normalize: { trim: true } }];
 * ```
 */
export type SensitiveFieldOption = string | { readonly field: string; readonly searchable?: boolean; readonly normalize?: SearchNormalization };

/**
 * Record-level ("sealed") mode of one repository: every field except the
 * id, version, managed timestamps, secret() fields and `clear` fields is
 * sealed into one envelope field.
 *
 * @example
 * ```ts
 * const notes = defineRepository('notes', { id: f.id(), conversationId: f.string(), body: f.string() }, {
 *   plugins: { encryption: { seal: true, clear: ['conversationId'] } },
 * });
 * ```
 */
export interface SealOptions {
  readonly seal: boolean;
  /** Fields stored (and queryable) in clear. */
  readonly clear?: readonly string[];
  /** Name of the envelope field (default `sealed`). */
  readonly envelopeField?: string;
}

/**
 * One entry of `keys`: a KeySource, optionally flagged `active`. Every
 * property is optional in the type so that the checked YAML section fits
 * as it is; `id` and exactly one key source are checked at run time.
 *
 * @example
 * ```ts
 * const k: KeyOption = { id: '2026-07', key: process.env.CHATCORE_KEY_2026_07, active: true };
 * ```
 */
export type KeyOption = { readonly [K in keyof KeySource]?: K extends 'key' | 'passphrase' | 'salt' | 'wrappedKey' ? KeySource[K] | SecretValue | undefined : KeySource[K] | undefined } & { readonly active?: boolean | undefined };

/**
 * Options of `encryption()`. YAML keys are the snake_case forms
 * (`sensitive_fields`, `active_key_id`, ...).
 *
 * @example
 * ```ts
 * encryption({ keys: [{ id: 'k1', key: process.env.CHATCORE_ENCRYPTION_KEY! }], sensitiveFields: ['ssn'] });
 * ```
 */
export interface EncryptionOptions {
  /**
   * The keyring. Default: from CHATCORE_ENCRYPTION_KEY (base64) or CHATCORE_ENCRYPTION_PASSPHRASE + CHATCORE_ENCRYPTION_SALT,
   * id CHATCORE_ENCRYPTION_KEY_ID or `k1`. `active: true` on one key is the same as `activeKeyId`.
   */
  readonly keys?: readonly KeyOption[] | undefined;
  /** One root key (32 bytes, base64 or hex): shorthand for `keys: [{ id: keyId ?? 'k1', key: rootKey }]`. */
  readonly rootKey?: string | SecretValue | undefined;
  /** A passphrase instead of a root key, with its stored salt (`passphraseSalt`). */
  readonly passphrase?: string | SecretValue | undefined;
  readonly passphraseSalt?: string | SecretValue | undefined;
  /** Key id of `rootKey` or `passphrase` (default `k1`). */
  readonly keyId?: string | undefined;
  readonly activeKeyId?: string | undefined;
  /** Key whose material derives blind indexes when `blindIndex.key` is not set; default the first key listed. Never change it. */
  readonly indexKeyId?: string | undefined;
  /** A separate blind-index root key (32 bytes, base64 or hex), and config-named fields to make searchable. */
  readonly blindIndex?: { readonly key?: string | SecretValue | undefined; readonly fields?: readonly string[] | undefined } | undefined;
  /** Resolves passphrases and wrapped keys; default the local provider (PBKDF2, local KEK). */
  readonly keyProvider?: KeyProvider | undefined;
  /** Extra fields to encrypt besides those marked `sensitive()`; secret() fields are always left to core's hashing. */
  readonly sensitiveFields?: readonly SensitiveFieldOption[] | undefined;
  /** Record-level mode per repository (the repository's own `plugins.encryption` setting wins). */
  readonly repositories?: Readonly<Record<string, SealOptions>> | undefined;
  /**
   * The per-row authenticator (a `row_auth` column or field, a keyed MAC over the
   * id, the version and every ciphertext of the row): `'required'`
   * (default) refuses a row without one; `'accept-missing'` reads rows
   * written before authenticators existed (each gets one on its next write,
   * or from `reencrypt`); `'off'` neither writes nor checks them.
   */
  readonly rowAuthentication?: 'required' | 'accept-missing' | 'off' | undefined;
  /**
   * Check every row a blind-index lookup returns against the filter's
   * plaintext (default true). Turn it off only to measure what it costs.
   */
  readonly verifyLookups?: boolean | undefined;
  /** Plugin name (default `encryption`); must match the key under `defineRepository(..., { plugins })`. */
  readonly name?: string | undefined;
  /** Called for each security event this plugin reports (besides every plugin's onSecurityEvent). */
  readonly onSecurityEvent?: ((event: SecurityEvent) => void) | undefined;
}
