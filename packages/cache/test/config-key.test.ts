import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError } from '@chatcore/core';
import { createStack, loadConfig } from '@chatcore/core/config';
import { requireService } from '@chatcore/core/testing';
import { cache, type CachePlugin } from '../src/index.js';
import { notes, randomNamespace, users } from './helpers/fixtures.js';

await requireService('redis');

const REDIS_URL = 'redis://127.0.0.1:6379';
const yaml = (namespace: string, extra = '') => `
database:
  backend: memory
cache:
  redis_url: \${REDIS_URL}
  namespace: ${namespace}
  local_max_entries: 0
${extra}`;

function leaks(text: string, key: string): boolean {
  const bytes = Buffer.from(key, 'utf8');
  return [key, bytes.toString('base64'), bytes.toString('hex')].some((form) => text.includes(form));
}

test('cache.key from ${CACHE_KEY} authenticates shared entries: the same key shares them, another key is refused', async () => {
  const namespace = randomNamespace();
  const key = randomBytes(32).toString('base64');
  const open = async (k: string) => {
    const db = await createStack({ config: yaml(namespace, '  key: ${CACHE_KEY}'), env: { REDIS_URL, CACHE_KEY: k }, repositories: { users, notes } });
    await db.connect();
    return db;
  };
  const a = await open(key);
  const b = await open(key);
  const other = await open(randomBytes(32).toString('base64'));
  try {
    const u = await a.users.create({ name: 'keyed' });
    await a.users.get(u.id); // fills the shared tier, in the background: wait until the fill has landed
    const ca = a.plugin<CachePlugin>('cache')!;
    for (let i = 0; i < 200 && (ca.stats().repositories.users?.shared.fills ?? 0) < 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.is(ca.stats().repositories.users?.shared.fills, 1, 'the shared tier was filled');
    // Each stack has its own memory database: b and other can only find the record in the shared tier.
    assert.equal((await b.users.get(u.id))?.name, 'keyed');
    const cb = b.plugin<CachePlugin>('cache')!;
    assert.is(cb.stats().authenticated, true);
    assert.is(cb.stats().repositories.users!.shared.hits, 1, 'the same key opens the entry');
    assert.is(await other.users.get(u.id), null, 'the entry is refused and the read goes to its own (empty) database');
    assert.is(other.plugin<CachePlugin>('cache')!.stats().repositories.users!.shared.rejected, 1, 'another key cannot open it');
    const health = await cb.health();
    assert.is(health[0]!.details?.authenticated, undefined, 'no warning with a key');
    for (const printed of [inspect(a, { depth: 8 }), inspect(a.plugin('cache'), { depth: 8 }), JSON.stringify(a.plugin('cache')), String(a.plugin('cache'))]) assert.not.ok(leaks(printed, key), 'key printed');
    const config = loadConfig(yaml(namespace, '  key: ${CACHE_KEY}'), { env: { REDIS_URL, CACHE_KEY: key } });
    assert.not.ok(leaks(inspect(config, { depth: 8 }) + JSON.stringify(config), key), 'key printed by the loaded configuration');
  } finally {
    await a.plugin<CachePlugin>('cache')!.clear();
    await Promise.all([a.close(), b.close(), other.close()]);
  }
});

test('a weak or short cache.key is refused with ConfigError naming cache.key, without echoing it', () => {
  for (const weak of ['changeme'.repeat(4), 'a'.repeat(40), 'abcdefg'.repeat(6), randomBytes(12).toString('base64')]) {
    let error: unknown;
    try {
      loadConfig(yaml(randomNamespace(), '  key: ${CACHE_KEY}'), { env: { REDIS_URL, CACHE_KEY: weak } });
    } catch (e) {
      error = e;
    }
    assert.instance(error, ConfigError, `refused: ${weak.length} characters`);
    const text = `${(error as Error).message} ${JSON.stringify((error as ConfigError).problems ?? [])}`;
    assert.match(text, /cache\.key/);
    assert.match(text, /32 bytes|pattern|repeated/);
    assert.not.ok(text.includes(weak), 'the key is not in the error');
  }
});

test('cache({ key }) applies the same rule: a weak key is a ConfigError at construction', () => {
  for (const weak of ['changeme'.repeat(4), new Uint8Array(32), 'short']) {
    assert.throws(() => cache({ key: weak }), (e: unknown) => e instanceof ConfigError && /cache: key/.test((e as Error).message));
  }
  assert.is(cache({ key: randomBytes(32) }).stats().authenticated, true);
});

test('a Redis shared tier without a key works, and health() says its entries are not authenticated', async () => {
  const db = await createStack({ config: yaml(randomNamespace()), env: { REDIS_URL }, repositories: { users, notes } });
  await db.connect();
  try {
    const c = db.plugin<CachePlugin>('cache')!;
    const u = await db.users.create({ name: 'unkeyed' });
    await db.users.get(u.id);
    assert.equal((await db.users.get(u.id))?.name, 'unkeyed');
    assert.is(c.stats().authenticated, false);
    const details = (await c.health())[0]!.details!;
    assert.is(details.authenticated, false);
    assert.match(String(details.warning), /without a cache key/);
    await c.clear();
  } finally {
    await db.close();
  }
});

test.run();
