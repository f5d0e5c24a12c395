import pg from 'pg';
import { ConfigError } from '@chatcore/core';
import { integerOption, SecretValue } from '@chatcore/core/driver';
import type { PostgresConfig } from './postgres-config.js';
import { pgConnectionString, pgSslOptions } from './tls-options.js';
import { durationOption, serverTimeouts } from './server-timeouts.js';
import { chatcoreTypes } from './type-parsers.js';

/**
 * Build the pg Pool for a config. Idle connections that fail (server
 * restart, network reset) emit 'error' on the pool; that is handled here
 * (counted in `onError`) so it can never crash the process. The broken
 * connection is discarded by the pool and replaced on the next checkout.
 * The URL's TLS parameters are checked against the TLS options
 * (`pgConnectionString`); `urlPath` names the URL in those messages.
 *
 * @example
 * ```ts
 * const pool = createPool({ url: 'postgres://postgres@127.0.0.1/test' }, (err) => console.warn('an idle connection failed:', err.message));
 * ```
 */
export function createPool(config: PostgresConfig, onError: (err: Error) => void = () => {}, urlPath = 'url'): pg.Pool {
  const poolSize = integerOption(config.poolSize, 'postgres.poolSize', { min: 1 }) ?? 10;
  checkText(config, urlPath);
  integerOption(config.port, 'postgres.port', { min: 1, max: 65535 });
  if (!config.url && !config.host && !config.database) {
    throw new ConfigError('postgres: give a url (e.g. postgres://user:pass@host:5432/db) or host/port/database/user/password.');
  }
  const ssl = pgSslOptions(config);
  const url = SecretValue.reveal(config.url);
  // The rule chatcore.yaml applies: pg would take any scheme as a postgres:// URL. Only the scheme is named (the URL may hold a password).
  if (url !== undefined && url !== null && !/^postgres(ql)?:\/\//i.test(url)) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]{0,20}):/.exec(url)?.[1];
    throw new ConfigError(`postgres: ${urlPath} must be a postgres:// or postgresql:// URL${scheme ? `, not ${scheme}://` : ''}.`, { problems: [{ path: urlPath, message: 'expected a postgres:// or postgresql:// URL' }] });
  }
  const connectionString = url === undefined || url === null ? undefined : pgConnectionString(url, Boolean(ssl), urlPath);
  if (connectionString !== undefined) checkParses(connectionString, urlPath);
  const options: pg.PoolConfig = {
    connectionString,
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: SecretValue.reveal(config.password),
    max: poolSize,
    connectionTimeoutMillis: durationOption(config.connectTimeout, 'connectTimeout') ?? 10_000,
    idleTimeoutMillis: durationOption(config.idleTimeout, 'idleTimeout') ?? 30_000,
    application_name: config.applicationName ?? 'chatcore',
    ssl,
    // Lets the OS notice a dead peer on an idle connection instead of waiting for the next query.
    keepAlive: true,
    types: chatcoreTypes,
  };
  Object.assign(options, serverTimeouts(config));
  for (const k of Object.keys(options) as Array<keyof pg.PoolConfig>) if (options[k] === undefined) delete options[k];
  const pool = new pg.Pool(options);
  pool.on('error', (err) => onError(err));
  return pool;
}

/**
 * pg parses the URL only when it connects, and reports a malformed one (a
 * port that is not a number, an unescaped `@` or `/` in the password) as a
 * TypeError whose `input` is the whole URL, password included: parse it
 * here, with pg's own parser, and name only the setting.
 */
function checkParses(connectionString: string, urlPath: string): void {
  try {
    new pg.Client({ connectionString });
  } catch {
    throw new ConfigError(`postgres: ${urlPath} is not a valid URL: check the port (a number) and percent-encode reserved characters in the user name and password (@ as %40, / as %2F, : as %3A). The URL is not shown: it may hold a password.`, { problems: [{ path: urlPath, message: 'not a valid URL (check the port; percent-encode @ / : in the user and password)' }] });
  }
}

/** The text settings are strings (url and password may be SecretValues): anything else is a ConfigError naming the setting, never a crash inside pg. */
function checkText(config: PostgresConfig, urlPath: string): void {
  const settings: Array<[unknown, string, boolean]> = [
    [config.url, urlPath, true], [config.password, 'password', true], [config.host, 'host', false],
    [config.database, 'database', false], [config.user, 'user', false], [config.applicationName, 'applicationName', false],
  ];
  for (const [value, name, secret] of settings) {
    if (value === undefined || value === null || typeof value === 'string' || (secret && value instanceof SecretValue)) continue;
    throw new ConfigError(`postgres.${name}: expected a string${secret ? ' (or a SecretValue)' : ''}, got ${Array.isArray(value) ? 'an array' : typeof value}.`, { problems: [{ path: `postgres.${name}`, message: 'expected a string' }] });
  }
}
