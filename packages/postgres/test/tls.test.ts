import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ConfigError, ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';
import { requireService } from '@chatcore/core/testing';
import { pgSslOptions, postgres, type PostgresConfig } from '../src/index.js';
import { createCluster, makeCertificates, type TestCertificates, type TestCluster } from './helpers/cluster.js';

await requireService('postgres');

const pki: TestCertificates = await makeCertificates();
const cluster: TestCluster = await createCluster('cc_tls', 25441, {
  ssl: 'on',
  ssl_cert_file: `'${pki.serverCertFile}'`,
  ssl_key_file: `'${pki.serverKeyFile}'`,
});
const opened: Array<{ close(): Promise<void> }> = [];
const notes = defineRepository('notes', { id: f.id(), body: f.string() }, { table: 'tls_notes' });

function driver(config: Partial<PostgresConfig>) {
  const d = postgres({ poolSize: 1, connectTimeout: 5000, url: cluster.url('localhost'), ...config });
  opened.push(d);
  return d;
}

async function connectError(config: Partial<PostgresConfig>): Promise<ConnectionError> {
  try {
    await driver(config).connect();
  } catch (err) {
    assert.instance(err, ConnectionError, String(err));
    return err as ConnectionError;
  }
  throw new Error('connect should have failed');
}

test('verify-full with the issuing CA connects over TLS, and repositories work through it', async () => {
  const d = driver({ ssl: { ca: pki.ca } });
  const db = createDatabase({ driver: d, repositories: { notes } });
  opened.push(db);
  await db.connect();
  const { rows } = await d.executor.execute({ sql: 'select ssl, version from pg_stat_ssl where pid = pg_backend_pid()', parameters: [] });
  assert.is(rows[0]!.ssl, true);
  assert.match(String(rows[0]!.version), /TLS/);
  const n = await db.notes.create({ body: 'over tls' });
  assert.is((await db.notes.get(n.id))?.body, 'over tls');
});

test('a server certificate from an unknown CA is refused with the TLS error code in the ConnectionError', async () => {
  const err = await connectError({ ssl: { ca: pki.otherCa } });
  const code = String(err.info.tlsCode);
  assert.ok(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN'].includes(code), code);
  assert.ok(err.message.includes(code), err.message);
  assert.match(err.message, /ssl\.ca/);
});

test('ssl: true verifies against the system CAs, so a private CA is refused (verify-full by default)', async () => {
  const err = await connectError({ ssl: true });
  assert.match(err.message, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/);
});

test('a host name the certificate does not list is refused with ERR_TLS_CERT_ALTNAME_INVALID', async () => {
  const err = await connectError({ url: cluster.url('127.0.0.1'), ssl: { ca: pki.ca } });
  assert.is(err.info.tlsCode, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.ok(err.message.includes('ERR_TLS_CERT_ALTNAME_INVALID'), err.message);
  assert.not.ok(err.message.includes('BEGIN CERTIFICATE'));
});

test('rejectUnauthorized: false skips verification (documented for local testing only)', async () => {
  const d = driver({ url: cluster.url('127.0.0.1'), ssl: { rejectUnauthorized: false } });
  const { rows } = await d.executor.execute({ sql: 'select ssl from pg_stat_ssl where pid = pg_backend_pid()', parameters: [] });
  assert.is(rows[0]!.ssl, true);
});

test('with TLS configured, URL parameters that would weaken it are refused with a ConfigError naming them, before any connection', async () => {
  const weakening = ['sslmode=disable', 'sslmode=allow', 'sslmode=prefer', 'sslmode=no-verify', 'uselibpqcompat=true&sslmode=require', 'ssl=false', 'ssl=0', 'ssl=no-verify', 'sslrootcert=/tmp/other-ca.crt'];
  for (const tls of [{ ssl: { ca: pki.ca } }, { ssl: true as const }]) {
    for (const param of weakening) {
      const url = `${cluster.url('127.0.0.1')}?application_name=x&${param}`;
      const named = param.startsWith('uselibpqcompat') ? 'uselibpqcompat' : param.split('=')[0] === 'sslrootcert' ? 'sslrootcert' : param;
      assert.throws(() => postgres({ ...tls, url, poolSize: 1 }), (e: unknown) => e instanceof ConfigError && e.message.includes(named) && !e.message.includes(url), `${JSON.stringify(tls)} ${param}`);
    }
  }
  // A replica URL is held to the same rule, and named as such.
  assert.throws(
    () => postgres({ ssl: { ca: pki.ca }, url: cluster.url('localhost'), replicaUrls: [`${cluster.url('localhost')}?sslmode=disable`] }),
    (e: unknown) => e instanceof ConfigError && /replicaUrls\[0\]/.test((e as Error).message) && /sslmode=disable/.test((e as Error).message),
  );
});

test('YAML ssl: { ca } with ?sslmode=disable in the URL from the environment is refused, not a plain-text connection', async () => {
  const yaml = 'database:\n  backend: postgres\n  url: ${DATABASE_URL}\n  ssl:\n    ca: ${CA_FILE}\n';
  for (const param of ['sslmode=disable', 'sslmode=no-verify', 'ssl=false']) {
    const env = { DATABASE_URL: `${cluster.url('localhost')}?${param}`, CA_FILE: join(pki.dir, 'ca.crt') };
    let error: unknown;
    try {
      const db = await createStack({ config: yaml, env, repositories: { notes } });
      opened.push(db);
      await db.connect();
    } catch (e) {
      error = e;
    }
    assert.instance(error, ConfigError, `${param}: ${String(error)}`);
    assert.ok((error as Error).message.includes(param), (error as Error).message);
  }
});

test('with TLS configured, sslmode=verify-full|require in the URL is accepted and the options (their CA, verify-full) decide', async () => {
  for (const param of ['sslmode=verify-full', 'sslmode=require', 'ssl=true']) {
    const d = driver({ url: `${cluster.url('localhost')}?${param}`, ssl: { ca: pki.ca } });
    const { rows } = await d.executor.execute({ sql: 'select ssl from pg_stat_ssl where pid = pg_backend_pid()', parameters: [] });
    assert.is(rows[0]!.ssl, true, param);
    // Still verify-full: the certificate does not name 127.0.0.1.
    const err = await connectError({ url: `${cluster.url('127.0.0.1')}?${param}`, ssl: { ca: pki.ca } });
    assert.is(err.info.tlsCode, 'ERR_TLS_CERT_ALTNAME_INVALID', param);
  }
});

test('an ssl value node-postgres misreads is a ConfigError even without TLS configured, never a crash', () => {
  for (const value of ['false', 'FALSE', 'yes', 'off']) {
    assert.throws(() => postgres({ url: `${cluster.url('localhost')}?ssl=${value}`, poolSize: 1 }), (e: unknown) => e instanceof ConfigError && (e as Error).message.includes('ssl='), value);
  }
});

test('a server without TLS is refused when SSL is required, and plain connections still work', async () => {
  await cluster.sql('alter system set ssl = off');
  await cluster.reload();
  await new Promise((r) => setTimeout(r, 300));
  const err = await connectError({ ssl: { ca: pki.ca } });
  assert.match(err.message, /does not support SSL/);
  assert.is(err.info.tlsCode, 'SSL_NOT_SUPPORTED');
  const plain = driver({ ssl: false });
  const { rows } = await plain.executor.execute({ sql: 'select 1 as one', parameters: [] });
  assert.is(rows[0]!.one, 1);
});

test('TLS options: off unless asked for, verify-full whenever on', () => {
  assert.is(pgSslOptions({}), undefined);
  assert.is(pgSslOptions({ ssl: false }), false);
  // The old second switch is refused with a message that names the one TLS option.
  assert.throws(() => pgSslOptions({ useSsl: true } as never), (e: unknown) => e instanceof ConfigError && /ssl: true/.test((e as Error).message));
  assert.equal(pgSslOptions({ ssl: true }), { rejectUnauthorized: true });
  assert.equal(pgSslOptions({ ssl: { ca: 'CA' } }), { rejectUnauthorized: true, ca: 'CA' });
  assert.equal(pgSslOptions({ ssl: { rejectUnauthorized: false } }), { rejectUnauthorized: false });
});

test.after(async () => {
  for (const d of opened) await d.close().catch(() => undefined);
  await cluster.drop();
  pki.remove();
});

test.run();
