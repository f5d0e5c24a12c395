import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, DriverError, TimeoutError, UnsupportedQueryError } from '@chatcore/core';
import { keyHealth } from '../src/rotation/key-health.js';

// The encryption component when its key check cannot run: up when the database does not answer (the driver's own
// component is down then), degraded when the check failed for another reason (the keys were not checked), with the
// reason in full.

const ring = { activeKeyId: 'k1', keys: 1 };
const failing = (error: Error) => () => Promise.reject(error);

test('the database not answering leaves it up; a refused query or a missing table makes it degraded; the reason is whole', async () => {
  for (const error of [new ConnectionError('no connection'), new TimeoutError('too slow')]) {
    const [c] = await keyHealth('encryption', ring, failing(error));
    assert.is(c!.status, 'up', error.name);
  }
  const long = `Firestore cannot run this query: ${'x'.repeat(400)} end.`;
  for (const error of [new UnsupportedQueryError(long), new DriverError('relation "users" does not exist')]) {
    const [c] = await keyHealth('encryption', ring, failing(error));
    assert.is(c!.status, 'degraded', error.name);
    assert.is(c!.details?.keyCheck, `not run: ${error.message}`);
  }
});

test.run();
