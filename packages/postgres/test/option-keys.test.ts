import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '@chatcore/core';
import { postgres, type PostgresConfig } from '../src/index.js';

function refused(options: unknown, message: string): void {
  try {
    postgres(options as PostgresConfig);
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, message);
    assert.not.match((e as Error).message, 'secret-pw', 'the URL is echoed');
    return;
  }
  assert.unreachable(`accepted ${message}`);
}

test('postgres() refuses unknown options by path with a hint, before any connection is made', () => {
  const url = 'postgres://postgres:secret-pw@127.0.0.1:5432/postgres';
  refused({ url, pool_size: 5 }, 'postgres.pool_size: unknown option (did you mean poolSize?)');
  refused({ url, ssl: { rejectUnauthorised: false } }, 'postgres.ssl.rejectUnauthorised: unknown option (did you mean rejectUnauthorized?)');
  refused({ url, retry: { retries: 2 } }, 'postgres.retry.retries: unknown option (did you mean maxRetries?)');
});

test.run();
