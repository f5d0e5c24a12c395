import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver, resolveRetryOptions } from '@chatcore/core/driver';
import { checkOptionKeys } from '@chatcore/core/plugin';

const users = defineRepository('users', { id: f.id(), name: f.string(), version: f.version() });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

test('checkOptionKeys names an unknown key by path, with the closest known key', () => {
  const e = configError(() => checkOptionKeys({ ttl: 1, redis_url: 'x' }, 'cache', ['redisUrl', 'ttl']));
  assert.equal(e.problems.map((p) => p.path), ['cache.redis_url']);
  assert.match(e.message, 'cache.redis_url: unknown option (did you mean redisUrl?)');
});

test('a key several known keys begin or end with gets no guess (timeout: idle, query, statement, connect)', () => {
  const e = configError(() => checkOptionKeys({ timeout: '5s' }, 'postgres', ['idleTimeout', 'queryTimeout', 'statementTimeout', 'connectTimeout']));
  assert.match(e.message, 'postgres.timeout: unknown option');
  assert.not.match(e.message, 'did you mean');
  const one = configError(() => checkOptionKeys({ sensitive: [] }, 'encryption', ['rootKey', 'sensitiveFields']));
  assert.match(one.message, 'did you mean sensitiveFields?');
});

test('checkOptionKeys allows known keys set to undefined, and no options at all', () => {
  checkOptionKeys({ ttl: undefined }, 'cache', ['ttl']);
  checkOptionKeys(undefined, 'cache', ['ttl']);
});

test('checkOptionKeys refuses what is not a map of options', () => {
  const e = configError(() => checkOptionKeys('redis://127.0.0.1:6379', 'cache', ['ttl']));
  assert.match(e.message, 'expected a map of options, got a string');
  assert.not.match(e.message, '6379');
});

test('createDatabase refuses an unknown option instead of ignoring it (schema_mode: verify must not apply)', () => {
  let connects = 0;
  const driver = memoryDriver();
  const connect = driver.connect.bind(driver);
  driver.connect = async () => { connects++; return connect(); };
  const options = { driver, repositories: { users }, schema_mode: 'verify' };
  const e = configError(() => createDatabase(options));
  assert.match(e.message, 'createDatabase.schema_mode: unknown option (did you mean schemaMode?)');
  assert.is(connects, 0);
});

test('createDatabase refuses repositories given as a list, saying to pass an object', () => {
  const options = { driver: memoryDriver(), repositories: [users] };
  const e = configError(() => createDatabase(options as never));
  assert.match(e.message, 'repositories must be an object { name: repository }');
});

test('connect() refuses an unknown option before connecting', async () => {
  const db = createDatabase({ driver: memoryDriver(), repositories: { users } });
  const options = { schema_mode: 'off' };
  try {
    await db.connect(options as never);
    assert.unreachable('connect accepted schema_mode');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, 'connect.schema_mode: unknown option (did you mean schemaMode?)');
  }
});

test('memoryDriver() and the retry/breaker options refuse unknown keys', () => {
  const driverOptions = { capabilites: { offset: false } };
  assert.match(configError(() => memoryDriver(driverOptions as never)).message, 'memoryDriver.capabilites: unknown option (did you mean capabilities?)');
  const retry = { max_retries: 5 };
  assert.match(configError(() => resolveRetryOptions(retry as never, 'postgres.retry')).message, 'postgres.retry.max_retries: unknown option (did you mean maxRetries?)');
});

test.run();
