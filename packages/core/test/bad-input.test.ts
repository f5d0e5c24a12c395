import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { createDatabase, defineRepository, f, ValidationError } from '@chatcore/core';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import type { Plugin } from '@chatcore/core/plugin';

const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 20 }),
  age: f.integer({ min: 0, max: 150 }).optional(),
  score: f.number().optional(),
  role: f.enum(['admin', 'user']).default('user'),
  tags: f.array(f.string({ max: 10 })).default(() => []),
  meta: f.json<Record<string, unknown>>().optional(),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
});

const driver: Driver = memoryDriver();
const db = createDatabase({ driver, repositories: { users } });
await db.connect();
const seed = await db.users.createMany([{ name: 'ada', age: 36 }, { name: 'grace', age: 45 }, { name: 'linus', age: 20 }]);
const page1 = await db.users.findPage({ orderBy: { age: 'asc' }, limit: 1 });

async function checksum(): Promise<string> {
  const rows = await driver.query(db.schemas.get('users')!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  const text = JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return createHash('sha256').update(text).digest('hex');
}
const before = await checksum();

const cases: Array<[string, () => Promise<unknown>]> = [
  ['unknown field on create', () => db.users.create({ name: 'x', nope: 1 } as never)],
  ['wrong type on create', () => db.users.create({ name: 42 } as never)],
  ['wrong type for integer', () => db.users.create({ name: 'x', age: '3' } as never)],
  ['integer out of range', () => db.users.create({ name: 'x', age: 151 })],
  ['fractional integer', () => db.users.create({ name: 'x', age: 1.5 })],
  ['over-length string', () => db.users.create({ name: 'x'.repeat(21) })],
  ['NUL in a string', () => db.users.create({ name: 'a\u0000b' })],
  ['NaN', () => db.users.create({ name: 'x', score: NaN })],
  ['Infinity', () => db.users.create({ name: 'x', score: Infinity })],
  ['enum outside its values', () => db.users.create({ name: 'x', role: 'root' } as never)],
  ['array item of the wrong type', () => db.users.create({ name: 'x', tags: [1] } as never)],
  ['non-JSON value in json', () => db.users.create({ name: 'x', meta: { f: () => 1 } as never })],
  ['injection-looking field name on create', () => db.users.create({ name: 'x', 'name; drop table users': 'y' } as never)],
  ['__proto__ key from JSON', () => db.users.create(JSON.parse('{"name":"x","__proto__":{"admin":true}}'))],
  ['constructor key', () => db.users.create({ name: 'x', constructor: 'y' } as never)],
  ['managed field on create', () => db.users.create({ name: 'x', version: 9 } as never)],
  ['one bad row in a batch writes nothing', () => db.users.createMany([{ name: 'ok1' }, { name: 5 } as never, { name: 'ok2' }])],
  ['null for a required field', () => db.users.create({ name: null } as never)],
  ['not an object', () => db.users.create('x' as never)],
  ['unknown field in a patch', () => db.users.update(seed[0]!.id, { nope: 1 } as never)],
  ['id in a patch', () => db.users.update(seed[0]!.id, { id: 'other' } as never)],
  ['createdAt in a patch', () => db.users.update(seed[0]!.id, { createdAt: new Date() } as never)],
  ['increment on a string', () => db.users.update(seed[0]!.id, { name: { increment: 1 } } as never)],
  ['NaN increment', () => db.users.update(seed[0]!.id, { age: { increment: NaN } })],
  ['updateMany with an injection-looking filter key', () => db.users.updateMany({ 'name; drop table users': 'x' } as never, { age: 1 })],
  ['deleteMany with an unknown operator', () => db.users.deleteMany({ name: { like: '%' } } as never)],
  ['deleteMany without a filter', () => db.users.deleteMany(undefined as never)],
  ['find with an unknown field', () => db.users.find({ where: { nope: 1 } as never })],
  ['find with __proto__ in the filter', () => db.users.find({ where: JSON.parse('{"__proto__":{"x":1}}') })],
  ['find with constructor in the filter', () => db.users.find({ where: { constructor: 1 } as never })],
  ['startsWith on an integer', () => db.users.find({ where: { age: { startsWith: '1' } } as never })],
  ['NaN in a filter', () => db.users.find({ where: { score: { gt: NaN } } })],
  ['orderBy an unknown field', () => db.users.find({ orderBy: { 'name; drop table users': 'asc' } as never })],
  ['orderBy a json field', () => db.users.find({ orderBy: { meta: 'asc' } as never })],
  ['orderBy with a bad direction', () => db.users.find({ orderBy: { name: 'sideways' } as never })],
  ['select an unknown field', () => db.users.find({ select: ['nope'] as never })],
  ['limit 0', () => db.users.find({ limit: 0 })],
  ['limit too large', () => db.users.find({ limit: 10_001 })],
  ['negative offset', () => db.users.find({ offset: -1 })],
  ['fractional limit', () => db.users.find({ limit: 1.5 })],
  ['negative limit', () => db.users.find({ limit: -1 })],
  ['negative limit of a page', () => db.users.findPage({ limit: -1 })],
  ['fractional offset of findOne', () => db.users.findOne({ offset: 0.5 })],
  ['negative aggregate limit', () => db.users.aggregate({ groupBy: ['name'], count: ['_all'], limit: -1 })],
  ['fractional aggregate limit', () => db.users.aggregate({ groupBy: ['name'], count: ['_all'], limit: 1.5 })],
  ['negative page size of iterate', async () => {
    for await (const row of db.users.iterate({}, { pageSize: -1 })) void row;
  }],
  ['malformed cursor', () => db.users.find({ after: 'not a cursor!' })],
  ['garbage base64 cursor', () => db.users.find({ orderBy: { age: 'asc' }, after: Buffer.from('{"s":1}').toString('base64url') })],
  ['cursor from another order', () => db.users.find({ orderBy: { name: 'asc' }, after: page1.nextCursor })],
  ['cursor with a value of the wrong type', () => {
    const decoded = JSON.parse(Buffer.from(page1.nextCursor!, 'base64url').toString());
    decoded.v[0] = 'not a number';
    return db.users.find({ orderBy: { age: 'asc' }, after: Buffer.from(JSON.stringify(decoded)).toString('base64url') });
  }],
  ['in-list too long', () => db.users.find({ where: { name: { in: Array.from({ length: 1001 }, (_, i) => `n${i}`) } } })],
  ['bad id type on get', () => db.users.get(42 as never)],
  ['expectedVersion not a positive integer', () => db.users.update(seed[0]!.id, { age: 1 }, { expectedVersion: 0 })],
];

for (const [name, run] of cases) {
  test(`${name}: ValidationError, data unchanged`, async () => {
    try {
      await run();
      assert.unreachable('accepted bad input');
    } catch (e) {
      if ((e as Error).name === 'Assertion') throw e;
      assert.instance(e, ValidationError, `got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      assert.ok((e as ValidationError).issues.length > 0);
      assert.is(Object.prototype.hasOwnProperty.call({}, 'admin'), false, 'no prototype pollution');
    }
    assert.is(await checksum(), before);
  });
}

test('error messages do not echo the rejected value', async () => {
  const secretish = 'Zq8!unique-value-' + Math.random().toString(36).slice(2);
  try {
    await db.users.create({ name: secretish });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.not.match((e as Error).message, secretish);
  }
});

test('messages name what was wrong with a number or a field type: a fraction, Infinity, an array field, an object for a string', async () => {
  const messageOf = (run: () => Promise<unknown>) => run().then(() => 'accepted', (e: unknown) => (e instanceof ValidationError ? e.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : String(e)));
  assert.is(await messageOf(() => db.users.create({ name: 'x', age: 1.5 })), 'age: expected an integer, got a number with a fraction');
  assert.is(await messageOf(() => db.users.create({ name: 'x', age: Infinity })), 'age: expected an integer, got Infinity');
  assert.is(await messageOf(() => db.users.update(seed[0]!.id, { age: -Infinity })), 'age: expected an integer, got -Infinity');
  assert.is(await messageOf(() => db.users.find({ where: { age: { lt: 1e309 } } })), 'where.age.lt: expected an integer, got Infinity');
  assert.is(await messageOf(() => db.users.find({ orderBy: { tags: 'asc' } } as never)), 'orderBy.tags: an array field cannot be a sort key');
  assert.is(await messageOf(() => db.users.update(seed[0]!.id, { name: { set: 'x' } } as never)), 'name: expected a string, got an object');
  assert.is(await messageOf(() => db.users.update(seed[0]!.id, { tags: { push: 'x' } } as never)), 'tags: expected an array, got an object');
  assert.is(await messageOf(() => db.users.update(seed[0]!.id, { age: { set: 3 } } as never)), 'age: an object here must be { increment: n }');
  assert.is(await messageOf(() => db.users.update(seed[0]!.id, { name: { increment: 1 } } as never)), 'name.increment: increments apply to integer, number and bigint fields only (not encrypted ones)');
  assert.is(await messageOf(() => db.users.find({ where: { tags: { eq: ['a'] } } } as never)), 'where.tags.eq: operator eq does not apply to an array field');
  assert.is(await checksum(), before, 'nothing written');
});

test('a list past 1000 values is refused for its length alone, with one issue however many of its items are bad', async () => {
  const long = Array.from({ length: 100_000 }, () => 'x'.repeat(30));
  const lists = [{ name: { in: long } }, { name: { notIn: long } }, { tags: { hasSome: long } }, { tags: { hasEvery: long } }];
  for (const where of lists) {
    const e = await db.users.find({ where } as never).then(() => undefined, (error: unknown) => error);
    assert.instance(e, ValidationError);
    assert.equal((e as ValidationError).issues.length, 1, `one issue for ${Object.keys(Object.values(where)[0]!)[0]}`);
    assert.match((e as Error).message, /100000 values, more than the 1000 a list may hold/);
  }
  assert.is(await checksum(), before, 'nothing written');
});

test('a lone surrogate in a sensitive value is refused before any plugin (encryption would store U+FFFD), and verifySecret refuses one in its candidate', async () => {
  const vault = defineRepository('vault', { id: f.id(), note: f.string().sensitive(), pin: f.string().secret() });
  let onionCalls = 0;
  const counting: Plugin = { name: 'counting', placement: { protectsSensitive: true }, around: (op, _ctx, next) => (onionCalls++, next(op)) };
  const vdb = createDatabase({ driver: memoryDriver(), repositories: { vault }, plugins: [counting] });
  await vdb.connect();
  const kept = await vdb.vault.create({ note: 'n', pin: 'a\uFFFD' });
  onionCalls = 0;
  for (const call of [() => vdb.vault.create({ note: 'x\ud800', pin: '1' }), () => vdb.vault.update(kept.id, { note: '\udc00' }), () => vdb.vault.verifySecret(kept.id, 'pin', 'a\ud800')]) {
    const outcome = await call().then(() => 'accepted', (e: unknown) => e);
    assert.instance(outcome, ValidationError, String(outcome));
  }
  assert.is(onionCalls, 0, 'no plugin saw the calls');
  assert.is(await vdb.vault.verifySecret(kept.id, 'pin', 'a\uFFFD'), true, 'the well-formed candidate still verifies');
  await vdb.close();
});

test('a Prisma-style { where } given to count or exists, and a field given to find as an option, say where the filter goes', async () => {
  for (const run of [() => db.users.count({ where: { name: 'ada' } } as never), () => db.users.exists({ where: { name: 'ada' } } as never), () => db.users.deleteMany({ where: { name: 'ada' } } as never)]) {
    const e = await run().then(() => undefined, (error: unknown) => error);
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, /a filter names fields directly, e\.g\. count\(\{ name: 'Ada' \}\); only find takes \{ where/);
  }
  const e = await db.users.find({ name: 'ada' } as never).then(() => undefined, (error: unknown) => error);
  assert.instance(e, ValidationError);
  assert.match((e as Error).message, /name is a field; filters go in where, e\.g\. find\(\{ where: \{ name: \.\.\. \} \}\)/);
  const other = await db.users.find({ nope: 1 } as never).then(() => undefined, (error: unknown) => error);
  assert.match((other as Error).message, /unknown query option \(use /);
  assert.is(await checksum(), before, 'nothing written');
});

test.after(async () => {
  await db.close();
});

test.run();
