import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { defineRepository, f } from '@chatcore/core';
import { createStack, loadConfig } from '@chatcore/core/config';
import { leakedMarkers, requireService } from '@chatcore/core/testing';
import '@chatcore/cache';
import '@chatcore/postgres';
import '../src/index.js'; // registers the encryption section
import { ownRedis } from '../../cache/test/helpers/redis-server.js';

await requireService('postgres');
await requireService('redis');

const marker = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;
const m = { dbPassword: marker('dbpw'), passphrase: marker('passphrase'), salt: marker('salt'), indexKey: randomBytes(32).toString('base64'), redisPassword: marker('redispw') };

// A Redis of this test's own that requires the password, so the cache really authenticates with the marker.
const redis = ownRedis({ extraArgs: ['--requirepass', m.redisPassword], password: m.redisPassword });
redis.start();

const tag = randomBytes(4).toString('hex');
const people = defineRepository('people', { id: f.id(), name: f.string(), email: f.string().sensitive({ searchable: true }) }, { table: `print_people_${tag}`, plugins: { cache: true } });

test('a whole stack from YAML (postgres password, passphrase, salt, blind-index key, Redis password) prints none of them: database, driver, configuration', async () => {
  const pgUrl = new URL(process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  pgUrl.password = m.dbPassword; // the test server trusts every connection
  const yaml = [
    'database:',
    '  backend: postgres',
    '  url: ${DATABASE_URL}',
    'encryption:',
    '  passphrase: ${PASSPHRASE}',
    '  passphrase_salt: ${SALT}',
    '  blind_index: { key: "${INDEX_KEY}" }',
    'cache:',
    `  redis_url: redis://:\${REDIS_PASSWORD}@127.0.0.1:${redis.port}`,
    `  namespace: print-${tag}`,
    '',
  ].join('\n');
  const config = loadConfig(yaml, { env: { DATABASE_URL: pgUrl.toString(), PASSPHRASE: m.passphrase, SALT: m.salt, INDEX_KEY: m.indexKey, REDIS_PASSWORD: m.redisPassword } });
  const db = await createStack({ config, repositories: { people } });
  const markers = Object.values(m);
  try {
    await db.connect();
    const p = await db.people.create({ name: 'ada', email: 'ada@example.com' });
    await db.people.get(p.id);
    await db.people.get(p.id);
    assert.is((await db.people.findOne({ where: { email: 'ada@example.com' } }))?.id, p.id);
    assert.ok(redis.command('--scan', '--pattern', `print-${tag}*`).trim().length > 0, 'the cache wrote to the Redis that needs the password');
    assert.equal(leakedMarkers(config, markers), []);
    assert.equal(leakedMarkers(db.driver, markers), []);
    assert.equal(leakedMarkers(db, markers), []);
    assert.equal(JSON.parse(JSON.stringify(db)), { driver: 'postgres', repositories: ['people'], plugins: ['encryption', 'cache'] });
  } finally {
    await db.people.deleteMany({}).catch(() => undefined);
    await db.close();
  }
});

test.after(() => redis.dispose());

test.run();
