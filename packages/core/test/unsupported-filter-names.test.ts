import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, UnsupportedQueryError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';

// A filter a backend cannot run is refused naming the filter the caller wrote
// (contains, hasEvery, not around has, ...), with the capability in info.

const notes = defineRepository('notes', { id: f.id(), body: f.text(), tags: f.array(f.string()) });
const db = createDatabase({
  driver: memoryDriver({ name: 'limited', capabilities: { substring: false, insensitive: false, arrayContainsAll: false, notArrayContains: false, ne: false } }),
  repositories: { notes },
});
await db.connect();
await db.notes.create({ body: 'refund please', tags: ['a', 'b'] });

async function refusal(where: Parameters<typeof db.notes.find>[0]): Promise<UnsupportedQueryError> {
  const err = await db.notes.find(where).then(() => undefined, (e: unknown) => e);
  assert.instance(err, UnsupportedQueryError, String(err));
  return err as UnsupportedQueryError;
}

test('each refused filter is named as written, with its capability', async () => {
  const cases: [Parameters<typeof db.notes.find>[0], string, string][] = [
    [{ where: { body: { contains: 'refund' } } }, 'contains / endsWith', 'substring'],
    [{ where: { body: { endsWith: 'please' } } }, 'contains / endsWith', 'substring'],
    [{ where: { body: { eq: 'REFUND PLEASE', mode: 'insensitive' } } }, "mode: 'insensitive'", 'insensitive'],
    [{ where: { tags: { hasEvery: ['a', 'b'] } } }, 'hasEvery of several values', 'arrayContainsAll'],
    [{ where: { not: { tags: { has: 'a' } } } }, 'not around has / hasSome / hasEvery', 'notArrayContains'],
    [{ where: { body: { ne: 'x' } } }, 'ne (or not around eq)', 'ne'],
  ];
  for (const [query, written, capability] of cases) {
    const err = await refusal(query);
    assert.is(err.message.startsWith(`The limited driver does not support ${written} (capability ${capability}): `), true, err.message);
    assert.is(err.info.capability, capability);
    assert.not.match(err.message, 'pushed down');
  }
});

test('a filter the backend supports still runs', async () => {
  assert.is((await db.notes.find({ where: { tags: { has: 'a' } } })).length, 1);
});

test.after(() => db.close());
test.run();
