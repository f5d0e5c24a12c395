import { c } from './config-builders.js';
import { ConfigType, INVALID, type AnyConfigType, type InferConfig } from './config-type.js';
import { databaseSection } from './database-config.js';

/*
 * The plugin sections of the stack file, in one place. Core only checks their
 * shape and hands them, camelCased, to the plugin factories the caller passes
 * to createDatabaseFromConfig; the plugins read them and apply their own
 * defaults. To add a key, add it here (and to docs/configuration.md).
 */

/**
 * The shortest stored salt a passphrase may have, in characters (so at least
 * as many bytes). The `encryption` section checks it when the file is loaded
 * and `@chatcore/encryption` checks the same constant when the keyring is
 * built, so a salt one accepts the other accepts too.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * const salt = randomBytes(16).toString('base64'); // 24 characters
 * salt.length >= MIN_PASSPHRASE_SALT_LENGTH; // true
 * ```
 */
export const MIN_PASSPHRASE_SALT_LENGTH = 16;

const FIELD_REF = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/;
const fieldRef = () => c.string({ max: 200, pattern: FIELD_REF, patternHint: 'a field name or repository.field' });

/**
 * The `encryption` section, read by `@chatcore/encryption`. Exactly one key
 * source: `root_key`, `passphrase` (with `passphrase_salt`), or `keys` (a
 * keyring for rotation, one of them active). Every key value is secret.
 *
 * @example
 * ```ts
 * const enc: EncryptionSection = { rootKey: process.env.CHATCORE_ROOT_KEY!, sensitiveFields: ['ssn'] };
 * ```
 */
export const encryptionSection = c.object(
  {
    rootKey: c.string({ min: 16, max: 1024 }).secret().describedAs('Root key (base64 or hex of 32 bytes); subkeys are derived with HKDF.'),
    passphrase: c.string({ min: 12, max: 1024 }).secret().describedAs('A passphrase instead of a root key; stretched with PBKDF2 at start-up.'),
    passphraseSalt: c.string({ min: MIN_PASSPHRASE_SALT_LENGTH, max: 1024 }).secret().describedAs('The stored salt of the passphrase (e.g. 16 random bytes in base64); changing it changes the key.'),
    keyId: c.string({ max: 64, pattern: /^[A-Za-z0-9._-]+$/, patternHint: 'a key id (letters, digits, . _ -)' }),
    keys: c.list(
      c.object(
        {
          id: c.string({ max: 64, pattern: /^[A-Za-z0-9._-]+$/, patternHint: 'a key id (letters, digits, . _ -)' }),
          key: c.string({ min: 16, max: 1024 }).secret(),
          active: c.boolean().default(false),
        },
        { required: ['id', 'key'] },
      ),
      { min: 1 },
    ),
    sensitiveFields: c.list(fieldRef()),
    blindIndex: c.object({
      key: c.string({ min: 16, max: 1024 }).secret().describedAs('Separate key for blind indexes (HMAC); derived from the root key when absent.'),
      fields: c.list(fieldRef()),
    }),
  },
  {
    refine(enc, fail, failed) {
      const sources = [enc.rootKey, enc.passphrase, enc.keys].filter((x) => x !== undefined).length;
      if (sources === 0 && !failed('rootKey') && !failed('passphrase') && !failed('keys')) fail(null, 'no key: set root_key (e.g. ${CHATCORE_ROOT_KEY}), passphrase, or keys');
      if (sources > 1) fail(null, 'root_key, passphrase and keys are alternatives: keep one');
      if (enc.passphrase !== undefined && enc.passphraseSalt === undefined) fail('passphraseSalt', 'required with passphrase');
      if (enc.keys) {
        const active = enc.keys.filter((k) => k.active).length;
        if (active !== 1) fail('keys', `exactly one key must be active: true (found ${active})`);
        const ids = enc.keys.map((k) => k.id);
        if (new Set(ids).size !== ids.length) fail('keys', 'key ids must be unique');
        if (enc.keyId !== undefined) fail('keyId', 'with keys, mark the active key with active: true instead of key_id');
      }
    },
  },
);

const cacheRepositorySettings = c.object({ ttl: c.duration({ min: 1 }), enabled: c.boolean() });
// `users: false` opts a repository out, `users: true` keeps the defaults: both read as { enabled }.
const cacheRepository = new ConfigType<InferConfig<typeof cacheRepositorySettings>>({
  ...cacheRepositorySettings.state,
  describe: 'false, true, or a map { ttl, enabled }',
  read: (value, at) => {
    if (typeof value === 'boolean' || (typeof value === 'string' && at.checker.isFromEnv(at.path))) {
      const enabled = c.boolean().read(value, at);
      return enabled === INVALID ? INVALID : { enabled };
    }
    if (value === null || (typeof value === 'object' && !Array.isArray(value))) return cacheRepositorySettings.state.read(value, at);
    at.checker.fail(at.path, `expected false, true or a map { ttl, enabled }, got ${at.checker.describe(value, at.path, at.secret)}`);
    return INVALID;
  },
});

/**
 * The `cache` section, read by `@chatcore/cache`. The cache caches every
 * repository; `repositories` overrides one's settings (`users: { ttl: 5m }`)
 * or opts it out (`drafts: false`).
 *
 * @example
 * ```ts
 * const cache: CacheSection = { enabled: true, redisUrl: 'redis://127.0.0.1:6379', ttl: 30_000, repositories: { users: { ttl: 60_000 }, drafts: { enabled: false } } };
 * ```
 */
export const cacheSection = c.object({
  enabled: c.boolean().default(true),
  redisUrl: c.string({ max: 4096, pattern: /^rediss?:\/\//, patternHint: 'a redis:// or rediss:// URL' }).secret()
    .describedAs('Shared tier and invalidation bus; without it the shared tier is an in-memory store in this process. Secret (may hold a password).'),
  ttl: c.duration({ min: 1 }),
  localMaxEntries: c.integer({ min: 0 }),
  localMaxBytes: c.integer({ min: 0 }),
  namespace: c.string({ max: 100, pattern: /^[A-Za-z0-9:_.-]+$/, patternHint: 'letters, digits and : _ . -' }),
  repositories: c.record(cacheRepository),
});

/**
 * The `audit` section, read by `@chatcore/audit`.
 *
 * @example
 * ```ts
 * const audit: AuditSection = { sink: 'file', path: '/var/log/chatcore/audit.log', reads: 'sampled', sampleRate: 0.1 };
 * ```
 */
export const auditSection = c.object(
  {
    sink: c.enum(['console', 'file', 'outbox']),
    path: c.string({ max: 4096 }),
    reads: c.enum(['all', 'writes', 'sampled']),
    sampleRate: c.number({ min: 0, max: 1 }),
    redactAllowlist: c.list(fieldRef()),
    slowQueryMs: c.duration({ min: 0 }),
    checkpointPath: c.string({ max: 4096 }),
  },
  {
    refine(audit, fail) {
      if (audit.sink === 'file' && audit.path === undefined) fail('path', 'required when sink is file');
      if (audit.sink !== 'file' && audit.path !== undefined) fail('path', 'only used when sink is file');
      if (audit.reads === 'sampled' && audit.sampleRate === undefined) fail('sampleRate', 'required when reads is sampled');
      if (audit.reads !== 'sampled' && audit.sampleRate !== undefined) fail('sampleRate', 'only used when reads is sampled');
    },
  },
);

/**
 * The `metrics` section, read by `@chatcore/metrics`.
 *
 * @example
 * ```ts
 * const metrics: MetricsSection = { enabled: true, prefix: 'chatbot_' };
 * ```
 */
export const metricsSection = c.object({
  enabled: c.boolean().default(true),
  prefix: c.string({ max: 64, pattern: /^[a-zA-Z_:][a-zA-Z0-9_:]*$/, patternHint: 'a Prometheus metric name prefix' }),
});

/**
 * The checked `encryption` section, camelCased.
 *
 * @example
 * ```ts
 * const key = config.encryption?.rootKey;
 * ```
 */
export type EncryptionSection = InferConfig<typeof encryptionSection>;
/**
 * The checked `cache` section, camelCased.
 *
 * @example
 * ```ts
 * const ttl = config.cache?.ttl; // ms
 * ```
 */
export type CacheSection = InferConfig<typeof cacheSection>;
/**
 * The checked `audit` section, camelCased.
 *
 * @example
 * ```ts
 * const sink = config.audit?.sink; // 'console' | 'file' | 'outbox' | undefined
 * ```
 */
export type AuditSection = InferConfig<typeof auditSection>;
/**
 * The checked `metrics` section, camelCased.
 *
 * @example
 * ```ts
 * const prefix = config.metrics?.prefix;
 * ```
 */
export type MetricsSection = InferConfig<typeof metricsSection>;

/**
 * Every section of the stack file by its YAML name. `loadConfig` accepts
 * extra sections (`sections: { tenancy: c.object({...}) }`) for plugins
 * outside this repository.
 *
 * @example
 * ```ts
 * Object.keys(CONFIG_SECTIONS); // ['database', 'encryption', 'cache', 'audit', 'metrics']
 * ```
 */
export const CONFIG_SECTIONS = {
  database: databaseSection,
  encryption: encryptionSection,
  cache: cacheSection,
  audit: auditSection,
  metrics: metricsSection,
} as const satisfies Record<string, AnyConfigType>;
