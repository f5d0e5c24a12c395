import type pg from 'pg';
import { ConfigError } from '@chatcore/core';
import { WriteClock } from './write-clock.js';
import { integerOption, resolveBreakerOptions, resolveRetryOptions, SecretValue, type ResolvedBreakerOptions } from '@chatcore/core/driver';
import type { PostgresConfig } from './postgres-config.js';
import { createPool } from './create-pool.js';
import { durationOption } from './server-timeouts.js';
import { PoolTarget } from './pool-target.js';
import { ConnectionBreaker } from './circuit-breaker.js';
import { ReplicaRouter } from './replica-router.js';
import { ResilientExecutor } from './resilient-executor.js';
import { retryPolicy } from './retry-policy.js';
import { PostgresDriver, insertRetryable, transactionRetryable } from './postgres-sql-driver.js';

/** A replica's name in health reports: its host and port, never its credentials. */
function replicaName(url: string | SecretValue, index: number): string {
  let u: URL;
  try {
    u = new URL(SecretValue.reveal(url));
  } catch {
    throw new ConfigError(`postgres: replicaUrls[${index}] is not a URL; give postgres://user:password@host:port/database.`, { problems: [{ path: `replicaUrls.${index}`, message: 'not a URL' }] });
  }
  // The same rule as the primary url in chatcore.yaml; only the scheme is named, never the URL (it may hold a password).
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new ConfigError(`postgres: replicaUrls[${index}] must be a postgres:// or postgresql:// URL, not ${u.protocol}//.`, { problems: [{ path: `replicaUrls.${index}`, message: 'expected a postgres:// or postgresql:// URL' }] });
  }
  return `replica ${index + 1} (${u.hostname}:${u.port || '5432'})`;
}

/** One server's target, with its breaker probing that server through fresh connections. */
function targetFor(name: string, pool: pg.Pool, options: ResolvedBreakerOptions | undefined): PoolTarget {
  let target: PoolTarget | undefined;
  const breaker = options ? new ConnectionBreaker(name, options, () => target!.checkServer()) : undefined;
  target = new PoolTarget(name, pool, breaker);
  return target;
}

/**
 * Assemble the PostgreSQL driver from its config: the primary pool, one pool
 * per replica (same credentials options, TLS and timeouts), a breaker per
 * server, the retry policies, and the read router with its write clock.
 * With `retry: false` and `breaker: false`, statements take the same
 * checkout / query / release path without policies (the checkout guards
 * against crashing 'error' events stay on).
 *
 * @example
 * ```ts
 * const driver = buildPostgresDriver({ url, replicaUrls: [replicaUrl], breaker: { failures: 3 } });
 * ```
 */
export function buildPostgresDriver(config: PostgresConfig): PostgresDriver {
  const retry = config.retry === false ? undefined : resolveRetryOptions(config.retry, 'postgres.retry');
  const breaker = config.breaker === false ? undefined : resolveBreakerOptions(config.breaker, 'postgres.breaker');
  const window = durationOption(config.readYourWritesWindow, 'readYourWritesWindow') ?? 0;
  const replicaUrls = config.replicaUrls ?? [];
  if (!Array.isArray(replicaUrls)) throw new ConfigError('postgres.replicaUrls: expected an array of URLs.', { problems: [{ path: 'postgres.replicaUrls', message: 'expected an array' }] });
  // Checked here, under its own name: the replica pools receive it as their poolSize.
  const replicaPoolSize = integerOption(config.replicaPoolSize, 'postgres.replicaPoolSize', { min: 1 }) ?? config.poolSize;
  const healthTimeoutMs = Math.min(durationOption(config.connectTimeout, 'connectTimeout') ?? 10_000, 5000);

  let primary: PoolTarget | undefined;
  const pool = createPool(config, () => {
    if (primary) primary.errors++;
  });
  primary = targetFor('primary', pool, breaker);

  const replicas = replicaUrls.map((url, i) => {
    const name = replicaName(url, i);
    let target: PoolTarget | undefined;
    const replicaPool = createPool(
      { ...config, url, host: undefined, port: undefined, database: undefined, user: undefined, password: undefined, poolSize: replicaPoolSize },
      () => { if (target) target.errors++; },
      `replicaUrls[${i}]`,
    );
    target = targetFor(name, replicaPool, breaker);
    return target;
  });
  const clock = window > 0 ? new WriteClock(window, config.readYourWritesScope ?? 'context') : undefined;
  const router = new ReplicaRouter(primary, replicas, clock);
  const policyOptions = retry ?? { maxRetries: 0, initialDelayMs: 0, maxDelayMs: 0 };
  const executor = new ResilientExecutor(router, policyOptions);
  return new PostgresDriver({
    executor,
    primary,
    replicas,
    transactionRetry: retry ? retryPolicy(retry, transactionRetryable) : undefined,
    insertRetry: retry ? retryPolicy(retry, insertRetryable) : undefined,
    healthTimeoutMs,
  });
}
