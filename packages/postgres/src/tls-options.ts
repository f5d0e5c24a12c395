import { ConfigError, ConnectionError } from '@chatcore/core';
import { SecretValue } from '@chatcore/core/driver';
import type { ConnectionOptions } from 'node:tls';
import type { PostgresConfig } from './postgres-config.js';

/**
 * The node-postgres `ssl` option for a config. TLS is on when `ssl` is
 * `true` or an object, and then verify-full by default: the
 * certificate must chain to a trusted CA (`ca`, else the system store) and
 * name the host connected to. `rejectUnauthorized: false` turns both checks
 * off and is meant only for local testing.
 *
 * @example
 * ```ts
 * pgSslOptions({ ssl: { ca: readFileSync('ca.pem', 'utf8') } }); // { ca, rejectUnauthorized: true }
 * ```
 */
export function pgSslOptions(config: Pick<PostgresConfig, 'ssl'>): ConnectionOptions | false | undefined {
  const { ssl } = config;
  if ('useSsl' in config) throw new ConfigError('postgres: useSsl is gone; TLS has one option, ssl: true, or ssl: { ca, cert, key, rejectUnauthorized }.', { problems: [{ path: 'useSsl', message: 'use ssl' }] });
  if (ssl === false) return false;
  if (ssl === undefined) return undefined;
  if (ssl === true) return { rejectUnauthorized: true };
  if (typeof ssl !== 'object' || ssl === null) throw new ConfigError('postgres: ssl must be true, false or { ca, cert, key, rejectUnauthorized }.');
  const out: ConnectionOptions = { rejectUnauthorized: ssl.rejectUnauthorized ?? true };
  if (ssl.ca !== undefined) out.ca = ssl.ca;
  if (ssl.cert !== undefined) out.cert = ssl.cert;
  if (ssl.key !== undefined) out.key = SecretValue.reveal(ssl.key);
  return out;
}

/** sslmode values node-postgres reads as "TLS, verified" (it treats require and verify-ca as verify-full). */
const VERIFIED_SSLMODES = new Set(['require', 'verify-ca', 'verify-full']);
/** URL parameters that replace the CA, certificate or key of the options with files named in the URL. */
const TLS_FILE_PARAMS = ['sslrootcert', 'sslcert', 'sslkey'];

/**
 * The connection URL to hand to node-postgres, checked against the TLS
 * settings. node-postgres lets URL parameters override explicit options,
 * so with TLS configured (`tlsOn`) a parameter that would weaken it
 * (`sslmode=disable|allow|prefer|no-verify`, `uselibpqcompat`,
 * `ssl=false|0|no-verify`) or replace its CA, certificate or key
 * (`sslrootcert`, `sslcert`, `sslkey`) is refused with a ConfigError that
 * names it; the harmless ones (`sslmode=require|verify-ca|verify-full`,
 * `ssl=true|1`) are removed, so that the options decide. Without TLS
 * configured the URL decides, except that an `ssl` value node-postgres
 * misreads (`ssl=false` would request TLS and then crash) is refused too.
 * Messages never contain the URL.
 *
 * @example
 * ```ts
 * pgConnectionString('postgres://app@db/app?sslmode=verify-full', true, 'url'); // 'postgres://app@db/app'
 * pgConnectionString('postgres://app@db/app?sslmode=disable', true, 'url');     // throws ConfigError naming sslmode=disable
 * ```
 */
export function pgConnectionString(url: string, tlsOn: boolean, path: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const params = new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash));
  const refuse = (param: string, why: string): never => {
    throw new ConfigError(`postgres: ${path} has the parameter ${param}, which ${why}. Remove it from the URL; TLS is set with ssl (YAML ssl: true or ssl: { ca, cert, key }).`, {
      problems: [{ path, message: `URL parameter ${param.split('=')[0]} refused` }],
    });
  };
  const shown = (key: string, value: string) => `${key}=${/^[A-Za-z0-9_.-]{1,20}$/.test(value) ? value : '...'}`;
  for (const value of params.getAll('ssl')) {
    if (tlsOn && ['0', 'false', 'no-verify'].includes(value.toLowerCase())) refuse(shown('ssl', value), 'would turn off TLS or its verification while TLS is configured');
    // node-postgres compares case-sensitively and takes any other string as an ssl options object.
    if (!['true', '1', '0', 'no-verify'].includes(value)) refuse(shown('ssl', value), 'node-postgres does not understand (use sslmode=disable or sslmode=verify-full)');
  }
  if (!tlsOn) return url;
  for (const value of params.getAll('sslmode')) {
    if (!VERIFIED_SSLMODES.has(value)) refuse(shown('sslmode', value), 'would weaken the TLS that is configured (plain text, or no certificate check)');
  }
  if (params.has('uselibpqcompat')) refuse('uselibpqcompat', 'makes sslmode=require skip the certificate check');
  for (const key of TLS_FILE_PARAMS) if (params.has(key)) refuse(key, 'would replace the CA, certificate or key of the TLS options');
  for (const key of ['ssl', 'sslmode']) params.delete(key);
  const rest = params.toString();
  return `${url.slice(0, q)}${rest ? `?${rest}` : ''}${hash === -1 ? '' : url.slice(hash)}`;
}

const CA_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);
const DATE_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * Turn a TLS failure while connecting into a ConnectionError that names the
 * TLS error code and says what to fix; undefined when `err` is no TLS
 * failure. Never includes certificate or key material.
 *
 * @example
 * ```ts
 * try {
 *   await new PoolExecutor(createPool({ ...config, ssl: true })).execute({ sql: 'select 1', parameters: [] });
 * } catch (err) {
 *   throw explainTlsError(err) ?? err; // a ConnectionError naming the TLS code and the fix, when it is one
 * }
 * ```
 */
export function explainTlsError(err: unknown): ConnectionError | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as NodeJS.ErrnoException).code;
  const message = err.message;
  let advice: string | undefined;
  if (/server does not support SSL/i.test(message)) {
    advice = 'The server does not support SSL connections, and TLS is required by this configuration. Enable ssl on the server (ssl = on with a certificate), or connect without TLS only on a trusted network.';
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    advice = `The server certificate does not name the host connected to (${code}: ${message}). Connect with a host name the certificate lists (subjectAltName), or issue a certificate for this host.`;
  } else if (code && CA_CODES.has(code)) {
    advice = `The server certificate is not signed by a trusted CA (${code}). Pass the CA that issued it as ssl.ca (database.ssl_ca), or install it in the system trust store.`;
  } else if (code && DATE_CODES.has(code)) {
    advice = `The server certificate is outside its validity period (${code}). Renew the server certificate, and check the clocks.`;
  } else if (code && (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /^(CERT|UNABLE_TO|HOSTNAME)_/.test(code))) {
    advice = `The TLS handshake with the server failed (${code}: ${message.slice(0, 200)}). Check ssl.ca, ssl.cert and ssl.key and the server's TLS settings.`;
  }
  if (!advice) return undefined;
  const safe = new Error(message.slice(0, 300));
  (safe as NodeJS.ErrnoException).code = code ?? 'SSL_NOT_SUPPORTED';
  return new ConnectionError(`TLS connection to the database failed: ${advice}`, { cause: safe, info: { tlsCode: code ?? 'SSL_NOT_SUPPORTED' } });
}
