import { readFileSync } from 'node:fs';
import { ConfigError } from '@chatcore/core';
import { registerBackend, SecretValue, type ResolvedDatabaseConfig } from '@chatcore/core/config';
import type { PostgresConfig } from './postgres-config.js';
import { postgres } from './postgres-driver.js';

const secret = (value: string | undefined) => (value === undefined ? undefined : new SecretValue(value));

/** A PEM value given inline, or the path of a file holding it. */
function pem(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    throw new ConfigError(`database.${what}: not a PEM value and no readable file at that path (${(err as NodeJS.ErrnoException).code ?? 'error'}). Give the PEM text or the path of a PEM file.`);
  }
}

/**
 * Map the `database` section of a chatcore configuration (YAML
 * `backend: postgres`) to `postgres()` options: `connection_pool_size` is
 * `poolSize`, `query_timeout` the server-side statement and lock timeouts,
 * `replica_urls` the read replicas, `ssl` (`true`, or
 * `{ ca, cert, key }` as PEM text or file paths) the TLS settings, `retry`
 * and `breaker` the resilience settings. The URLs, the password and the client key are SecretValues,
 * so the options print `[redacted]` for them.
 *
 * @example
 * ```ts
 * const options = postgresConfigFrom(loadConfig('chatcore.yaml').database); // { url, poolSize, queryTimeout, replicaUrls, ssl, ... }
 * ```
 */
export function postgresConfigFrom(cfg: ResolvedDatabaseConfig): PostgresConfig {
  return {
    url: secret(cfg.url),
    host: cfg.host,
    port: cfg.port,
    database: cfg.databaseName,
    user: cfg.username,
    password: secret(cfg.password),
    poolSize: cfg.connectionPoolSize,
    queryTimeout: cfg.queryTimeout,
    replicaUrls: cfg.replicaUrls && cfg.replicaUrls.length ? cfg.replicaUrls.map((u) => new SecretValue(u)) : undefined,
    ssl: typeof cfg.ssl === 'object'
      ? { ca: pem(cfg.ssl.ca, 'ssl.ca'), cert: pem(cfg.ssl.cert, 'ssl.cert'), key: secret(pem(cfg.ssl.key, 'ssl.key')), rejectUnauthorized: cfg.ssl.rejectUnauthorized }
      : cfg.ssl,
    ...(cfg.retry ? { retry: cfg.retry } : {}),
    ...(cfg.breaker ? { breaker: cfg.breaker } : {}),
  };
}

// Importing @chatcore/postgres makes `backend: postgres` available to configurations.
registerBackend('postgres', (cfg) => postgres(postgresConfigFrom(cfg)));
