import { ConnectionError } from '@chatcore/core';
import type { ConnectionOptions } from 'node:tls';
import type { PostgresConfig } from './postgres-config.js';

/**
 * The node-postgres `ssl` option for a config. TLS is on when `ssl` is set
 * (not `false`) or `useSsl` is true, and then verify-full by default: the
 * certificate must chain to a trusted CA (`ca`, else the system store) and
 * name the host connected to. `rejectUnauthorized: false` turns both checks
 * off and is meant only for local testing.
 *
 * @example
 * ```ts
 * pgSslOptions({ useSsl: true, ssl: { ca: readFileSync('ca.pem', 'utf8') } }); // { ca, rejectUnauthorized: true }
 * ```
 */
export function pgSslOptions(config: Pick<PostgresConfig, 'ssl' | 'useSsl'>): ConnectionOptions | false | undefined {
  const { ssl, useSsl } = config;
  if (ssl === false || (ssl === undefined && useSsl === false)) return false;
  if (ssl === undefined && useSsl !== true) return undefined;
  if (ssl === undefined || ssl === true) return { rejectUnauthorized: true };
  const out: ConnectionOptions = { rejectUnauthorized: ssl.rejectUnauthorized ?? true };
  if (ssl.ca !== undefined) out.ca = ssl.ca;
  if (ssl.cert !== undefined) out.cert = ssl.cert;
  if (ssl.key !== undefined) out.key = ssl.key;
  return out;
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
 *   await new PoolExecutor(createPool({ ...config, useSsl: true })).execute({ sql: 'select 1', parameters: [] });
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
