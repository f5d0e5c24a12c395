import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ConfigError, defineRepository, f } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';

// No plugin or driver package is imported here: createStack imports what the file names.
const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  email: f.string().sensitive({ searchable: true }),
  version: f.version(),
});
const file = (name: string) => fileURLToPath(new URL(`../${name}`, import.meta.url));

test('one mistake in each of five sections: one ConfigError listing all five, with paths and lines', async () => {
  const yaml = [
    'database:',                          // 1
    '  backend: pglite',                  // 2
    '  connection_pool_size: lots',       // 3: wrong type
    'encryption:',                        // 4
    '  root_key: ${CHATCORE_TEST_KEY}',   // 5: unset variable
    'cache:',                             // 6
    '  ttl: 30 seconds',                  // 7: bad duration
    'audit:',                             // 8
    '  slow_query_treshold: 1s',          // 9: unknown key (a typo)
    'metrics:',                           // 10
    '  prefix: chat-bot',                 // 11: refused by the plugin's own rule
    '',
  ].join('\n');
  let error: unknown;
  try {
    await createStack({ config: yaml, env: {}, repositories: { users } });
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  const problems = [...(error as ConfigError).problems];
  assert.equal(problems.map((p) => [p.path, p.line]), [
    ['database.connection_pool_size', 3],
    ['encryption.root_key', 5],
    ['cache.ttl', 7],
    ['audit.slow_query_treshold', 9],
    ['metrics.prefix', 11],
  ]);
  assert.match(problems[0]!.message, /expected an integer/);
  assert.match(problems[1]!.message, /CHATCORE_TEST_KEY is not set/);
  assert.match(problems[2]!.message, /expected a duration/);
  assert.match(problems[3]!.message, /unknown key \(did you mean slow_query_threshold\?\)/);
  assert.match(problems[4]!.message, /the prefix is not a valid Prometheus metric name start/);
  assert.match((error as Error).message, /has 5 problems/);
});

test('the PGlite example builds a working stack (encryption, cache, audit outbox, metrics) and serves a request', async () => {
  const db = await createStack({
    config: file('chatcore.pglite.yaml'),
    env: { CHATCORE_ROOT_KEY: randomBytes(32).toString('base64') },
    repositories: { users },
  });
  assert.equal(db.plugins.map((p) => p.name), ['metrics', 'audit', 'encryption', 'cache']);
  await db.connect();
  try {
    const ada = await db.users.create({ name: 'Ada', email: 'ada@example.com' });
    assert.is((await db.users.get(ada.id))?.email, 'ada@example.com');
    assert.is((await db.users.get(ada.id))?.name, 'Ada');
    assert.is((await db.users.findOne({ where: { email: 'ada@example.com' } }))?.id, ada.id);
    const health = await db.health();
    assert.is(health.status, 'up');
  } finally {
    await db.close();
  }
});

test.run();
