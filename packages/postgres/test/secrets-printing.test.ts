import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { format, inspect } from 'node:util';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { loadConfig, SecretValue } from '@chatcore/core/config';
import { leakedMarkers, requireService } from '@chatcore/core/testing';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { postgres, postgresConfigFrom } from '../src/index.js';
import { PG_URL } from './helpers/pg-config.js';

await requireService('postgres');

const marker = (name: string) => `${name}-${randomBytes(9).toString('hex')}`;
const notes = defineRepository('notes', { id: f.id(), body: f.text() }, { table: `secret_notes_${suffix()}` });
// The test server trusts every connection, so any password connects: the markers travel for real.
const withPassword = (password: string) => { const u = new URL(PG_URL); u.password = password; return u.toString(); };
const keyPemOf = (m: string) => `-----BEGIN PRIVATE KEY-----\n${m}\n-----END PRIVATE KEY-----\n`;
/** The object as printed without its own inspection: every member, hidden ones and getters included. */
const walked = (x: unknown) => inspect(x, { customInspect: false, showHidden: true, depth: Infinity, getters: true });
/** What walking the driver, its executor and the database shows (console.dir, %o, spreading, entries). */
function walkedLeaks(driver: ReturnType<typeof postgres>, db: object | undefined, markers: readonly string[]): string[] {
  const subjects: unknown[] = [driver, driver.executor, driver.migrations, { ...driver }, Object.entries(driver)];
  if (db) subjects.push(db, (db as { notes: object }).notes);
  return [...subjects.map(walked), format('%o', driver.executor), format('%o', driver)].flatMap((text) => leakedMarkers(text, markers));
}

test('the options object given to postgres() prints no password before connect, while connected and after close; it reads unchanged', async () => {
  const m = { primary: marker('optpw'), replica: marker('optreplica'), field: marker('optfield'), key: marker('optkey') };
  const markers = Object.values(m);
  const url = withPassword(m.primary);
  const o = { url, replicaUrls: [withPassword(m.replica)], poolSize: 2 };
  const byFields = { host: new URL(PG_URL).hostname, port: Number(new URL(PG_URL).port), user: 'postgres', database: new URL(PG_URL).pathname.slice(1), password: m.field, ssl: { key: keyPemOf(m.key), rejectUnauthorized: true } };
  const printed = (x: object) => [inspect(x, { depth: Infinity }), format('%s %j', x, x), JSON.stringify(x), inspect({ options: x }, { depth: Infinity })].join('\n');
  const driver = postgres(o);
  const unconnected = postgres(byFields);
  assert.equal(leakedMarkers(printed(o), markers), [], 'before connect');
  assert.equal(leakedMarkers(printed(byFields), markers), [], 'fields and TLS key');
  assert.equal(JSON.parse(JSON.stringify(o)), { url: '[redacted]', replicaUrls: '[redacted]', poolSize: 2 });
  const db = createDatabase({ driver, repositories: { notes } });
  try {
    await db.connect();
    await db.notes.create({ body: 'hello' });
    assert.equal(leakedMarkers(printed(o), markers), [], 'connected');
  } finally {
    await dropTables(driver.executor, [notes.schema.table]).catch(() => undefined);
    await db.close();
    await unconnected.close();
  }
  assert.equal(leakedMarkers(printed(o), markers), [], 'closed');
  assert.is(o.url, url, 'the members read unchanged');
  assert.is(byFields.password, m.field);
  // A frozen options object is left as it is, and still builds a driver.
  await postgres(Object.freeze({ url })).close();
});

test('walking a driver with replicas and its database, before connect, in use and after close, reaches no password', async () => {
  const m = { primary: marker('walkpw'), replica: marker('walkreplica') };
  const markers = Object.values(m);
  const driver = postgres({ url: new SecretValue(withPassword(m.primary)), replicaUrls: [withPassword(m.replica)], password: new SecretValue(m.primary) });
  const db = createDatabase({ driver, repositories: { notes } });
  assert.equal(walkedLeaks(driver, db, markers), [], 'before connect');
  try {
    await db.connect();
    const n = await db.notes.create({ body: 'hello' });
    await db.notes.get(n.id);
    await db.notes.find({ limit: 5 });
    assert.is((await driver.health()).status, 'up');
    assert.equal(walkedLeaks(driver, db, markers), [], 'connected');
  } finally {
    await dropTables(driver.executor, [notes.schema.table]).catch(() => undefined);
    await db.close();
  }
  assert.equal(walkedLeaks(driver, db, markers), [], 'closed');
});

test('a driver built from YAML with passwords in its URLs prints none of them, connected and in use; neither do its options or the database', async () => {
  const m = { password: marker('pw'), replica: marker('replica') };
  const yaml = 'database:\n  backend: postgres\n  url: ${DATABASE_URL}\n  replica_urls: ["${REPLICA_URL}"]\n  connection_pool_size: 2\n';
  const config = loadConfig(yaml, { env: { DATABASE_URL: withPassword(m.password), REPLICA_URL: withPassword(m.replica) } });
  const options = postgresConfigFrom(config.database);
  const markers = Object.values(m);
  assert.equal(leakedMarkers(options, markers), []);
  const driver = postgres(options);
  const db = createDatabase({ driver, repositories: { notes } });
  try {
    await db.connect();
    const n = await db.notes.create({ body: 'hello' });
    await db.notes.get(n.id);
    await db.notes.find({ limit: 5 });
    assert.equal(leakedMarkers(driver, markers), []);
    assert.equal(leakedMarkers(db, markers), []);
    assert.equal(JSON.parse(JSON.stringify(driver)), { driver: 'postgres', servers: ['primary', `replica 1 (${new URL(PG_URL).hostname}:${new URL(PG_URL).port})`] });
  } finally {
    await dropTables(driver.executor, [notes.schema.table]).catch(() => undefined);
    await db.close();
  }
});

test('a password, URL and TLS client key given as SecretValue connect and stay out of printed options and drivers', async () => {
  const m = { password: marker('pw'), url: marker('urlpw'), key: marker('key') };
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${m.key}\n-----END PRIVATE KEY-----\n`;
  const u = new URL(PG_URL);
  const byFields = { host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), user: u.username, password: new SecretValue(m.password), poolSize: 1 };
  const byUrl = { url: new SecretValue(withPassword(m.url)), poolSize: 1 };
  const tls = { url: new SecretValue(withPassword(m.url)), ssl: { key: new SecretValue(keyPem), rejectUnauthorized: true } };
  for (const options of [byFields, byUrl, tls]) assert.equal(leakedMarkers(options, Object.values(m)), []);
  for (const options of [byFields, byUrl]) {
    const driver = postgres(options);
    try {
      const { rows } = await driver.executor.execute({ sql: 'select 1 as one', parameters: [] });
      assert.is(rows[0]!.one, 1);
      assert.equal(leakedMarkers(driver, Object.values(m)), []);
    } finally {
      await driver.close();
    }
  }
  const unconnected = postgres(tls);
  assert.equal(leakedMarkers(unconnected, Object.values(m)), []);
  await unconnected.close();
});

test.run();
