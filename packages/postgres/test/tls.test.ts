import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { pgSslOptions, postgres, type PostgresConfig } from '../src/index.js';
import { createCluster, makeCertificates, type TestCertificates, type TestCluster } from './helpers/cluster.js';

await requireService('postgres');

const pki: TestCertificates = await makeCertificates();
const cluster: TestCluster = await createCluster('cc_tls', 55441, {
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
  const d = driver({ useSsl: true, ssl: { ca: pki.ca } });
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
  const err = await connectError({ useSsl: true, ssl: { ca: pki.otherCa } });
  const code = String(err.info.tlsCode);
  assert.ok(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN'].includes(code), code);
  assert.ok(err.message.includes(code), err.message);
  assert.match(err.message, /ssl\.ca/);
});

test('useSsl alone verifies against the system CAs, so a private CA is refused (verify-full by default)', async () => {
  const err = await connectError({ useSsl: true });
  assert.match(err.message, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/);
});

test('a host name the certificate does not list is refused with ERR_TLS_CERT_ALTNAME_INVALID', async () => {
  const err = await connectError({ url: cluster.url('127.0.0.1'), useSsl: true, ssl: { ca: pki.ca } });
  assert.is(err.info.tlsCode, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.ok(err.message.includes('ERR_TLS_CERT_ALTNAME_INVALID'), err.message);
  assert.not.ok(err.message.includes('BEGIN CERTIFICATE'));
});

test('rejectUnauthorized: false skips verification (documented for local testing only)', async () => {
  const d = driver({ url: cluster.url('127.0.0.1'), ssl: { rejectUnauthorized: false } });
  const { rows } = await d.executor.execute({ sql: 'select ssl from pg_stat_ssl where pid = pg_backend_pid()', parameters: [] });
  assert.is(rows[0]!.ssl, true);
});

test('a server without TLS is refused when SSL is required, and plain connections still work', async () => {
  await cluster.sql('alter system set ssl = off');
  await cluster.reload();
  await new Promise((r) => setTimeout(r, 300));
  const err = await connectError({ useSsl: true, ssl: { ca: pki.ca } });
  assert.match(err.message, /does not support SSL/);
  assert.is(err.info.tlsCode, 'SSL_NOT_SUPPORTED');
  const plain = driver({ ssl: false });
  const { rows } = await plain.executor.execute({ sql: 'select 1 as one', parameters: [] });
  assert.is(rows[0]!.one, 1);
});

test('TLS options: off unless asked for, verify-full whenever on', () => {
  assert.is(pgSslOptions({}), undefined);
  assert.is(pgSslOptions({ useSsl: false }), false);
  assert.is(pgSslOptions({ ssl: false, useSsl: true }), false);
  assert.equal(pgSslOptions({ useSsl: true }), { rejectUnauthorized: true });
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
