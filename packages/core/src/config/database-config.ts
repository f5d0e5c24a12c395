import { c } from './config-builders.js';
import type { InferConfig } from './config-type.js';

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
  /** Connect with TLS (default false). */
  readonly useSsl?: boolean;
  /** PEM CA bundle (content or file path, as the driver documents) to verify the server with. */
  readonly sslCa?: string;
  /** PEM client certificate. */
  readonly sslCert?: string;
  /** PEM client key; secret. */
  readonly sslKey?: string;
  /** Verify the server certificate (default true); false only for local testing. */
  readonly sslRejectUnauthorized?: boolean;
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

const BACKEND = /^[a-z][a-z0-9_-]{0,62}$/;
const HOST = /^[A-Za-z0-9._:[\]%-]+$/;
const POSTGRES_ONLY = ['url', 'host', 'port', 'databaseName', 'username', 'password', 'useSsl', 'sslCa', 'sslCert', 'sslKey', 'replicaUrls'] as const;
const FIRESTORE_ONLY = ['projectId', 'databaseId', 'keyFilename', 'emulatorHost'] as const;
const PGLITE_ONLY = ['dataDir'] as const;
const OWN_KEYS: Record<string, readonly string[]> = {
  postgres: POSTGRES_ONLY,
  firestore: FIRESTORE_ONLY,
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
    host: c.string({ max: 255, pattern: HOST, patternHint: 'a host name or address' }),
    port: c.integer({ min: 1, max: 65535 }),
    databaseName: c.string({ max: 63 }),
    username: c.string({ max: 63 }),
    password: c.string({ max: 1024 }).secret(),
    useSsl: c.boolean().default(false),
    sslCa: c.string(),
    sslCert: c.string(),
    sslKey: c.string().secret(),
    sslRejectUnauthorized: c.boolean().default(true),
    connectionPoolSize: c.integer({ min: 1, max: 10_000 }).default(10),
    queryTimeout: c.duration({ min: 1, max: 86_400_000 }).default(30_000),
    dataDir: c.string({ max: 4096 }),
    projectId: c.string({ max: 128 }),
    databaseId: c.string({ max: 128 }),
    keyFilename: c.string({ max: 4096 }),
    emulatorHost: c.string({ max: 255, pattern: HOST, patternHint: 'host:port' }),
    replicaUrls: c.list(c.string({ max: 4096 }).secret()).default([]),
    schemaMode: c.enum(['apply', 'verify', 'off']).default('apply'),
  },
  {
    refine(db, fail, failed) {
      if (db.url !== undefined) {
        for (const k of ['host', 'port', 'databaseName', 'username', 'password'] as const) {
          if (db[k] !== undefined) fail(k, 'url is set too: give either url or host/port/database_name/username/password, not both');
        }
        if (db.backend === 'postgres' && !/^postgres(ql)?:\/\//.test(db.url)) fail('url', 'expected a postgres:// or postgresql:// URL');
      }
      if (db.backend === 'postgres' && db.url === undefined && db.host === undefined && !failed('url') && !failed('host')) {
        fail('host', 'postgres needs url or host: set url (e.g. ${DATABASE_URL}) or host/port/database_name/username/password');
      }
      if (!db.useSsl) {
        for (const k of ['sslCa', 'sslCert', 'sslKey'] as const) if (db[k] !== undefined) fail(k, 'has no effect while use_ssl is false: set use_ssl: true');
      }
      const own = OWN_KEYS[db.backend ?? 'pglite'];
      if (own) {
        const foreign = [...POSTGRES_ONLY, ...FIRESTORE_ONLY, ...PGLITE_ONLY].filter((k) => !own.includes(k));
        for (const k of foreign) {
          const v = db[k];
          if (v !== undefined && !(Array.isArray(v) && v.length === 0) && !(k === 'useSsl' && v === false)) {
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
