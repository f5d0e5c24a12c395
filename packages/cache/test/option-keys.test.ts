import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { cache, type CacheOptions } from '../src/index.js';

// cache() options built in a variable (or in JavaScript) escape tsc's
// excess-property check: a misspelt key must be refused, not ignored (a
// cache that silently runs without Redis, or caches what it was told not to).

function refused(options: unknown, message: string): void {
  try {
    cache(options as CacheOptions);
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, message);
    assert.not.match((e as Error).message, '6379', 'the URL is echoed');
    return;
  }
  assert.unreachable(`accepted ${message}`);
}

test('url (meant: redisUrl) is refused with a hint instead of running without Redis', () => {
  const o = { url: 'redis://127.0.0.1:6379' };
  refused(o, 'cache.url: unknown option (did you mean redisUrl?)');
});

test('redis given a URL string is refused, pointing at redisUrl', () => {
  refused({ redis: 'redis://127.0.0.1:6379' }, 'for a URL use redisUrl');
});

test('unknown keys of per-repository settings are refused by path', () => {
  refused({ repositories: { users: { tll: '5m' } } }, 'cache.repositories.users.tll: unknown option (did you mean ttl?)');
  refused({ breaker: { failure: 3 } }, 'cache.breaker.failure: unknown option (did you mean failures?)');
});

test('a repository definition\'s plugins.cache with an unknown key is refused when the database is built', async () => {
  const drafts = defineRepository('drafts', { id: f.id(), body: f.string() }, { plugins: { cache: { tenant_scope: true } } });
  const db = createDatabase({ driver: memoryDriver(), repositories: { drafts }, plugins: [cache()] });
  try {
    await db.connect();
    assert.unreachable('plugins.cache.tenant_scope was accepted');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, 'drafts.plugins.cache.tenant_scope: unknown option (did you mean tenantScoped?)');
  } finally {
    await db.close();
  }
});

test('known keys set to undefined stay allowed', () => {
  cache({ redisUrl: undefined, ttl: undefined, repositories: { users: { ttl: undefined } } });
});

test.run();
