import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, ValidationError } from '@chatcore/core';
import { encryption } from '../src/index.js';
import { everyBackend, suffix } from './helpers/every-backend.js';
import { KEY_A } from './helpers/keys.js';

// An increment of a sealed field is applied to the opened envelope, not by
// the database: it must refuse what the database refuses for a plain field
// (declared bounds, int32, int64, a finite double), write nothing, and keep
// the sealed value out of the message.
function counters(s: string) {
  return defineRepository('counters', {
    id: f.id(),
    tag: f.string(),
    bounded: f.integer({ min: 0, max: 100 }).default(0),
    n: f.integer().default(0),
    maybe: f.integer().optional(),
    x: f.number().default(0),
    big: f.bigint().default(0n),
    version: f.version(),
  }, { table: `sealinc_${s}`, plugins: { encryption: { seal: true, clear: ['tag'] } } });
}

async function refused(run: () => Promise<unknown>, path: string, what: RegExp, reached: string): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.instance(error, ValidationError, path);
    const issue = (error as ValidationError).issues[0]!;
    assert.is(issue.path, path);
    assert.match(issue.message, what);
    assert.not.ok((error as Error).message.includes(reached), 'the message names no sealed value');
    return;
  }
  assert.unreachable(`${path}: accepted`);
}

for (const backend of await everyBackend()) {
  for (const rowAuthentication of ['required', 'off'] as const) {
    test(`${backend.name} (rowAuthentication ${rowAuthentication}): sealed increments are range-checked like plain ones, nothing written`, async () => {
      const db = createDatabase({ driver: backend.driver(), repositories: { counters: counters(suffix()) }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], rowAuthentication })] });
      await db.connect();
      try {
        const start = { id: 'a', tag: 't', bounded: 95, n: 2147483647, maybe: null, x: 1e308, big: 2n ** 63n - 1n };
        await db.counters.create(start);
        await refused(() => db.counters.update('a', { bounded: { increment: 10 } }), 'bounded.increment', /above its maximum of 100/, '105');
        await refused(() => db.counters.update('a', { bounded: { increment: -96 } }), 'bounded.increment', /below its minimum of 0/, '-1');
        await refused(() => db.counters.update('a', { n: { increment: 1 } }), 'n.increment', /leaves the range of counters\.n/, '2147483648');
        await refused(() => db.counters.update('a', { x: { increment: 1e308 } }), 'x.increment', /leaves the range of counters\.x/, 'Infinity');
        await refused(() => db.counters.update('a', { big: { increment: 1n } }), 'big.increment', /leaves the range of counters\.big/, '9223372036854775808');
        await refused(() => db.counters.updateMany({ tag: 't' }, { bounded: { increment: 6 } }), 'bounded.increment', /above its maximum/, '101');
        await refused(() => db.counters.upsert({ id: 'a', tag: 't' }, { update: { bounded: { increment: 6 } } }), 'bounded.increment', /above its maximum/, '101');
        assert.equal(await db.counters.get('a'), { ...start, version: 1 });
        // Up to the bounds, increments still apply.
        const after = await db.counters.update('a', { bounded: { increment: 5 }, n: { increment: -1 }, big: { increment: -1n }, x: { increment: -1e308 } });
        assert.equal({ ...after }, { ...start, bounded: 100, n: 2147483646, big: 2n ** 63n - 2n, x: 0, version: 2 });
        assert.equal(await db.counters.get('a'), after);
        // A null stays null, as `col = col + n` leaves it on a plain field.
        const unset = await db.counters.update('a', { maybe: { increment: 3 } });
        assert.is(unset.maybe, null);
        assert.is((await db.counters.get('a'))!.maybe, null);
      } finally {
        await db.close();
      }
    });
  }
}

test.run();
