import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { format, inspect } from 'node:util';
import { ConfigError, createDatabase } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { createStack, loadConfig, SecretValue } from '@chatcore/core/config';
import { leakedMarkers, requireService } from '@chatcore/core/testing';
import { cache, cacheOptionsFromConfig, type CacheOptions } from '../src/index.js';
import { instrument, notes, openDb, randomNamespace, sleep, users } from './helpers/fixtures.js';
import { ownRedis } from './helpers/redis-server.js';

await requireService('redis');

const marker = (name: string) => `${name}-${randomBytes(9).toString('hex')}`;
const m = { url: marker('urlpw'), user: marker('userpw'), secret: marker('secretpw') };
const markers = Object.values(m);
// A server of our own that really checks passwords: the markers have to travel to connect.
const redis = ownRedis({ extraArgs: ['--requirepass', m.url], password: m.url });
redis.start();
redis.command('ACL', 'SETUSER', 'app', 'on', `>${m.user}`, `>${m.secret}`, '~*', '&*', '+@all');
const socket = { host: '127.0.0.1', port: redis.port };

/** The object as printed without its own inspection: every member, hidden ones and getters included. */
const walked = (x: unknown) => inspect(x, { customInspect: false, showHidden: true, depth: Infinity, getters: true });

const cases: Array<[string, () => CacheOptions]> = [
  ['redisUrl with a password', () => ({ redisUrl: `redis://:${m.url}@127.0.0.1:${redis.port}` })],
  ['redis: { password }', () => ({ redis: { username: 'app', password: m.user, socket } })],
  ['redis: { password: SecretValue }', () => ({ redis: { username: 'app', password: new SecretValue(m.secret), socket } })],
  ['redisUrl as a SecretValue', () => ({ redisUrl: new SecretValue(`redis://:${m.url}@127.0.0.1:${redis.port}`) })],
];

for (const [name, options] of cases) {
  test(`${name}: the plugin, its options and the database print no password, connected and in use`, async () => {
    const key = randomBytes(32).toString('base64');
    const opts = { ...options(), key, namespace: randomNamespace(), redisTimeout: '2s' };
    const secrets = [...markers, key, Buffer.from(key, 'base64').toString('hex')];
    const c = cache(opts);
    const ins = instrument();
    const db = await openDb([c], ins.driver);
    try {
      const u = await db.users.create({ name: 'ada' });
      await db.users.get(u.id);
      await db.users.get(u.id);
      assert.is(c.stats().bus, 'up', 'connected with the password');
      for (let i = 0; i < 100 && c.stats().total.shared.fills === 0; i++) await sleep(10);
      assert.ok(c.stats().total.shared.fills >= 1, 'the shared tier on the protected server was written');
      for (const subject of [c, opts, db, String(c), `${c}`, inspect(c, { depth: Infinity, showHidden: true })]) assert.equal(leakedMarkers(subject, secrets), []);
      // Walking the objects themselves (console.dir, %o, spreading) reaches no client, option or key either.
      for (const subject of [c, db, db.users, { ...c }, Object.entries(c)]) assert.equal(leakedMarkers(walked(subject), secrets), []);
      assert.equal(leakedMarkers(format('%o', c), secrets), []);
      assert.equal(JSON.parse(JSON.stringify(c)), { plugin: 'cache', namespace: opts.namespace, redis: 'single', local: true, shared: true });
      // The members are unchanged for code that reads them.
      assert.ok(opts.redisUrl !== undefined || opts.redis !== undefined);
    } finally {
      await c.clear();
      await db.close();
    }
  });
}

test('options mapped from a YAML cache section print no password', () => {
  const config = loadConfig('database:\n  backend: pglite\ncache:\n  redis_url: ${REDIS_URL}\n', { env: { REDIS_URL: `redis://:${m.url}@127.0.0.1:${redis.port}` } });
  const options = cacheOptionsFromConfig(config.cache!);
  assert.equal(leakedMarkers(options, markers), []);
  assert.equal(leakedMarkers(cache(options), markers), []);
  assert.ok(String(SecretValue.reveal(options.redisUrl!)).includes(m.url), 'the URL itself is intact');
});

/** What an error shows: its message, its printed forms and every own property, the cause chain included. */
function errorLeaks(err: unknown, secrets: readonly string[]): string[] {
  const e = err as Error & Record<string, unknown>;
  const shown = [e.message, inspect(e), walked(e), ...Object.getOwnPropertyNames(e).map((k) => inspect(e[k], { depth: Infinity }))];
  return [...leakedMarkers(shown.join('\n'), secrets), ...(e.cause === undefined ? [] : ['has a cause'])];
}

const badUrls: Array<[string, (pw: string) => string | SecretValue]> = [
  ['a port that is not a number', (pw) => `redis://:${pw}@127.0.0.1:notaport`],
  ['port 99999, as a SecretValue', (pw) => new SecretValue(`redis://:${pw}@127.0.0.1:99999`)],
  ['port 0', (pw) => `redis://user:${pw}@127.0.0.1:0`],
  ['an unclosed IPv6 host', (pw) => `redis://:${pw}@[::1`],
];

for (const [name, url] of badUrls) {
  test(`a malformed Redis URL (${name}) is a ConfigError that holds no password`, async () => {
    const pw = marker('badurl');
    let caught: unknown;
    try {
      const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [cache({ redisUrl: url(pw), redisTimeout: '200ms' })] });
      await db.connect();
      await db.close();
    } catch (err) {
      caught = err;
    }
    assert.instance(caught, ConfigError);
    assert.match((caught as Error).message, /^cache: redisUrl /);
    assert.equal(errorLeaks(caught, [pw]), []);
  });
}

test('a Redis URL the client itself refuses (a database path that is no number) is a ConfigError without the password', async () => {
  const pw = marker('badpath');
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [cache({ redis: { url: `redis://:${pw}@127.0.0.1:${redis.port}/notadb` }, redisTimeout: '200ms' })] });
  let caught: unknown;
  await db.connect().catch((err: unknown) => { caught = err; });
  await db.close().catch(() => undefined);
  assert.instance(caught, ConfigError);
  assert.equal(errorLeaks(caught, [pw]), []);
});

test('YAML: a redis_url with a port outside 1-65535 or no number is refused as the config is checked, without the password', async () => {
  for (const port of ['99999', '0', 'notaport']) {
    const pw = marker('yamlpw');
    let caught: unknown;
    try {
      const db = await createStack({ config: 'database:\n  backend: memory\ncache:\n  redis_url: ${REDIS_URL}\n', env: { REDIS_URL: `redis://:${pw}@127.0.0.1:${port}` }, repositories: { users, notes } });
      await db.close();
    } catch (err) {
      caught = err;
    }
    assert.instance(caught, ConfigError, `port ${port}`);
    assert.equal((caught as ConfigError).problems.map((p) => p.path), ['cache.redis_url']);
    assert.equal(errorLeaks(caught, [pw]), []);
  }
  loadConfig('database:\n  backend: memory\ncache:\n  redis_url: redis://:pw@127.0.0.1:65535\n');
});

test.after(() => redis.dispose());
test.run();
