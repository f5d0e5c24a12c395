import { c } from './config-builders.js';
import { ConfigType, INVALID, type InferConfig } from './config-type.js';
import { jsonSchemaOf } from './config-json-schema.js';

/**
 * Names of the backends that ship with chatcore; any registered name is accepted too.
 *
 * @example
 * ```ts
 * const backend: BuiltinBackend = 'pglite';
 * ```
 */
export type BuiltinBackend = 'pglite' | 'postgres' | 'firestore' | 'memory';

/**
 * The database connection settings, as TypeScript writes them (camelCase).
 * In YAML the same keys are snake_case (`databaseName` is `database_name`).
 * `url` is an alternative to host/port/databaseName/username/password.
 *
 * @example
 * ```ts
 * const config: DatabaseConfig = { backend: 'postgres', url: process.env.DATABASE_URL, connectionPoolSize: 20, queryTimeout: '5s' };
 * ```
 */
export interface DatabaseConfig {
  /** Which registered backend builds the driver (default 'pglite'). */
  readonly backend?: BuiltinBackend | (string & {});
  /** A connection URL (postgres://user:pass@host:5432/db); secret, as it may hold a password. */
  readonly url?: string;
  readonly host?: string;
  /** Default 5432 for postgres. */
  readonly port?: number;
  readonly databaseName?: string;
  readonly username?: string;
  /** Secret. */
  readonly password?: string;
  /**
   * TLS: `true` (verify the server against the system CAs), or the CA, a
   * client certificate and key (PEM text or file paths); `false` or absent:
   * no TLS unless the URL asks for it.
   */
  readonly ssl?: boolean | DatabaseTls;
  /** postgres and firestore: retries of transient failures: `{ maxRetries, initialDelay, maxDelay }`. */
  readonly retry?: { readonly maxRetries?: number; readonly initialDelay?: number | string; readonly maxDelay?: number | string };
  /** postgres and firestore: the circuit breaker (per server on postgres): `{ failures, halfOpenAfter }`. */
  readonly breaker?: { readonly failures?: number; readonly halfOpenAfter?: number | string };
  /** Largest number of pooled connections (default 10). */
  readonly connectionPoolSize?: number;
  /** Per-query timeout: ms, or a string like '30s', '500ms', '2m' (default 30s). */
  readonly queryTimeout?: number | string;
  /** pglite: where the database files live (in memory when absent). */
  readonly dataDir?: string;
  /** firestore: the Google Cloud project. */
  readonly projectId?: string;
  /** firestore: the database id (default '(default)'). */
  readonly databaseId?: string;
  /** firestore: a service-account key file. */
  readonly keyFilename?: string;
  /** firestore: host:port of the emulator. */
  readonly emulatorHost?: string;
  /** postgres: read replicas (URLs; secret, as they may hold passwords). */
  readonly replicaUrls?: readonly string[];
  /** 'apply' (default) creates missing tables at connect, 'verify' only checks, 'off' skips. */
  readonly schemaMode?: 'apply' | 'verify' | 'off';
}

/**
 * The TLS settings of the `database` section when `ssl` is a map.
 *
 * @example
 * ```ts
 * const tls: DatabaseTls = { ca: '/etc/ssl/certs/pg-ca.pem', rejectUnauthorized: true };
 * ```
 */
export interface DatabaseTls {
  /** PEM CA bundle (text or a file path) to verify the server with. */
  readonly ca?: string;
  /** PEM client certificate (text or a file path). */
  readonly cert?: string;
  /** PEM client key (text or a file path); secret. */
  readonly key?: string;
  /** Verify the server certificate (default true); false only for local testing. */
  readonly rejectUnauthorized?: boolean;
}

const tlsMap = c.object({
  ca: c.string().describedAs('PEM CA bundle (text or a file path) to verify the server with.'),
  cert: c.string().describedAs('PEM client certificate (text or a file path).'),
  key: c.string().secret().describedAs('PEM client key (text or a file path).'),
  rejectUnauthorized: c.boolean().default(true).describedAs('Verify the server certificate; false only for local testing.'),
});
// `ssl: true`, `ssl: false` or `ssl: { ca, cert, key, reject_unauthorized }`: the one TLS shape.
const tls = new ConfigType<boolean | InferConfig<typeof tlsMap>>({
  shape: tlsMap.state.shape,
  secret: false,
  hasDefault: false,
  describe: 'true | false | { ca, cert, key, reject_unauthorized }',
  jsonSchema: { anyOf: [{ type: 'boolean' }, jsonSchemaOf(tlsMap)] },
  read: (value, at) => {
    if (typeof value === 'boolean' || (typeof value === 'string' && at.checker.isFromEnv(at.path))) return c.boolean().read(value, at);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return tlsMap.state.read(value, at);
    at.checker.fail(at.path, `expected true, false or a map { ca, cert, key, reject_unauthorized }, got ${at.checker.describe(value, at.path, at.secret)}`);
    return INVALID;
  },
  write: (v, redact, secret) => (typeof v === 'boolean' ? v : tlsMap.write(v, redact, secret)),
});

const BACKEND = /^[a-z][a-z0-9_-]{0,62}$/;
const HOST = /^[A-Za-z0-9._:[\]%-]+$/;
const POSTGRES_ONLY = ['url', 'host', 'port', 'databaseName', 'username', 'password', 'ssl', 'replicaUrls'] as const;
const FIRESTORE_ONLY = ['projectId', 'databaseId', 'keyFilename', 'emulatorHost'] as const;
const PGLITE_ONLY = ['dataDir'] as const;
// Backends reached over a network: the one retry and breaker vocabulary.
const REMOTE = ['retry', 'breaker'] as const;
const OWN_KEYS: Record<string, readonly string[]> = {
  postgres: [...POSTGRES_ONLY, ...REMOTE],
  firestore: [...FIRESTORE_ONLY, ...REMOTE],
  pglite: PGLITE_ONLY,
  memory: [],
};

/**
 * The schema of the `database` section. Built-in backends get a check that
 * keys of another built-in backend are not set (e.g. `data_dir` with
 * postgres); custom backends may use any key.
 *
 * @example
 * ```ts
 * import { databaseSection } from '@chatcore/core/config';
 * Object.keys(databaseSection.state.shape ?? {}); // ['backend', 'url', 'host', ...] in camelCase
 * ```
 */
export const databaseSection = c.object(
  {
    backend: c.string({ pattern: BACKEND, patternHint: 'a backend name (lower case letters, digits, - and _)' }).default('pglite')
      .describedAs('Registered backend that builds the driver: pglite, postgres, firestore, memory, or a custom name.'),
    url: c.string({ max: 4096 }).secret().describedAs('Connection URL; alternative to host/port/database_name/username/password.'),
    host: c.string({ max: 255, pattern: HOST, patternHint: 'a host name or address' }).describedAs('postgres: server host.'),
    port: c.integer({ min: 1, max: 65535 }).describedAs('postgres: server port (the driver\'s default is 5432).'),
    databaseName: c.string({ max: 63 }).describedAs('postgres: database name.'),
    username: c.string({ max: 63 }).describedAs('postgres: user name.'),
    password: c.string({ max: 1024 }).secret().describedAs('postgres: password.'),
    ssl: tls.describedAs('TLS: true (verify against the system CAs), or { ca, cert, key, reject_unauthorized }; absent or false: no TLS unless the URL asks for it.'),
    retry: c.retry().describedAs('postgres and firestore: retries of transient failures (default { max_retries: 3, initial_delay: 50ms, max_delay: 1s }); firestore retries idempotent reads and commits never sent, within query_timeout.'),
    breaker: c.breaker().describedAs('postgres and firestore: circuit breaker, per server on postgres (default { failures: 5, half_open_after: 2s }).'),
    connectionPoolSize: c.integer({ min: 1, max: 10_000 }).default(10).describedAs('Largest number of pooled connections.'),
    queryTimeout: c.duration({ min: 1, max: 86_400_000 }).default(30_000).describedAs('Per-call timeout: createDatabase\'s default timeout, and postgres\' statement_timeout and lock_timeout.'),
    dataDir: c.string({ max: 4096 }).describedAs('pglite: where the files live; in memory when absent.'),
    projectId: c.string({ max: 128 }).describedAs('firestore: the Google Cloud project.'),
    databaseId: c.string({ max: 128 }).describedAs('firestore: the database id ((default) when absent).'),
    keyFilename: c.string({ max: 4096 }).describedAs('firestore: a service-account key file.'),
    emulatorHost: c.string({ max: 255, pattern: HOST, patternHint: 'host:port' }).describedAs('firestore: host:port of the emulator.'),
    replicaUrls: c.list(c.string({ max: 4096 }).secret()).default([]).describedAs('postgres: read replicas (URLs).'),
    schemaMode: c.enum(['apply', 'verify', 'off']).default('apply').describedAs('apply: create what is missing at connect (additive only); verify: only check, and list pending migrations (deployments that migrate separately with @chatcore/migrate, see migrations.md); off: skip.'),
  },
  {
    retired: {
      useSsl: 'use_ssl is gone: TLS has one key, ssl (ssl: true, or ssl: { ca, cert, key, reject_unauthorized })',
      sslCa: 'ssl_ca moved into ssl: write ssl: { ca: ... }',
      sslCert: 'ssl_cert moved into ssl: write ssl: { cert: ... }',
      sslKey: 'ssl_key moved into ssl: write ssl: { key: ... }',
      sslRejectUnauthorized: 'ssl_reject_unauthorized moved into ssl: write ssl: { reject_unauthorized: ... }',
    },
    refine(db, fail, failed) {
      if (db.url !== undefined) {
        for (const k of ['host', 'port', 'databaseName', 'username', 'password'] as const) {
          if (db[k] !== undefined) fail(k, 'url is set too: give either url or host/port/database_name/username/password, not both');
        }
        if (db.backend === 'postgres' && !/^postgres(ql)?:\/\//.test(db.url)) fail('url', 'expected a postgres:// or postgresql:// URL');
      }
      if (db.backend === 'postgres') {
        // Replicas are servers of the same kind: a mysql:// entry would only fail at the first routed read.
        (db.replicaUrls ?? []).forEach((u, i) => {
          if (!/^postgres(ql)?:\/\//.test(u)) fail(`replicaUrls[${i}]`, 'expected a postgres:// or postgresql:// URL');
        });
      }
      if (db.backend === 'postgres' && db.url === undefined && db.host === undefined && !failed('url') && !failed('host')) {
        fail('host', 'postgres needs url or host: set url (e.g. ${DATABASE_URL}) or host/port/database_name/username/password');
      }
      const own = OWN_KEYS[db.backend ?? 'pglite'];
      if (own) {
        const foreign = [...POSTGRES_ONLY, ...FIRESTORE_ONLY, ...PGLITE_ONLY, ...REMOTE].filter((k) => !own.includes(k));
        for (const k of foreign) {
          const v = db[k];
          if (v !== undefined && !(Array.isArray(v) && v.length === 0) && !(k === 'ssl' && v === false)) {
            fail(k, `does not apply to backend ${db.backend}: remove it or change backend`);
          }
        }
      }
    },
  },
);

/**
 * The database settings after checking, with defaults filled in and
 * `queryTimeout` in milliseconds. Backend factories receive this.
 *
 * @example
 * ```ts
 * registerBackend('postgres', (cfg: ResolvedDatabaseConfig) => postgres({ url: cfg.url, poolSize: cfg.connectionPoolSize }));
 * ```
 */
export type ResolvedDatabaseConfig = InferConfig<typeof databaseSection> & { readonly backend: BuiltinBackend | (string & {}) };
