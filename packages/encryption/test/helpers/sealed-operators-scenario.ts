import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f, ValidationError } from '@chatcore/core';
import type { Driver } from '@chatcore/core/driver';
import { encryption } from '../../src/index.js';
import { KEY_A } from './keys.js';
import { countingDriver } from './counting-driver.js';
import type { Loose } from './named-operators-scenario.js';

interface Sealed extends Loose {
  update(id: string, patch: object): Promise<{ stars: number }>;
}

const NO_INDEX = /operator \w+ is not available on a sealed field without a blind index: it is stored inside the record's envelope, where the database cannot test it; list it as clear/;

/** Calls on sealed fields without a blind index (title, stars; memo is declared sensitive()): every test is refused. */
const unindexed: [string, (n: Sealed, owners: Loose) => Promise<unknown>, string, RegExp?][] = [
  ['eq', (n) => n.find({ where: { title: 'a' } }), 'where.title'],
  ['in', (n) => n.find({ where: { title: { in: ['a'] } } }), 'where.title.in'],
  ['ne', (n) => n.find({ where: { title: { ne: 'a' } } }), 'where.title.ne'],
  ['isNull', (n) => n.find({ where: { title: { isNull: true } } }), 'where.title.isNull'],
  ['isNull of a sensitive() one', (n) => n.find({ where: { memo: { isNull: false } } }), 'where.memo.isNull'],
  ['gt', (n) => n.find({ where: { stars: { gt: 1 } } }), 'where.stars.gt'],
  ['startsWith under or', (n) => n.find({ where: { or: [{ owner: 'x' }, { title: { startsWith: 'a' } }] } }), 'where.or[1].title.startsWith'],
  ['not eq', (n) => n.find({ where: { not: { title: 'a' } } }), 'where.not.title'],
  ['count', (n) => n.count({ title: 'a' }), 'where.title'],
  ['updateMany', (n) => n.updateMany({ title: 'a' }, { owner: 'x' }), 'where.title'],
  ['deleteMany', (n) => n.deleteMany({ stars: 1 }), 'where.stars'],
  ['aggregate where', (n) => n.aggregate({ where: { stars: { gte: 1 } }, count: ['_all'] }), 'where.stars.gte'],
  ['aggregate count', (n) => n.aggregate({ count: ['title'] }), 'count[0]', /count is not possible on a sealed field without a blind index/],
  ['aggregate sum', (n) => n.aggregate({ sum: ['stars'] }), 'sum[0]', /sum is not possible on an encrypted field/],
  ['groupBy', (n) => n.aggregate({ groupBy: ['title'], count: ['_all'] }), 'groupBy[0]', /cannot be group keys/],
  ['orderBy', (n) => n.find({ orderBy: { stars: 'asc' } }), 'orderBy.stars', /cannot be sort keys/],
  ['distinct', (n) => n.find({ distinct: ['title'] }), 'distinct[0]', /cannot be distinct keys/],
  ['include where', (_, owners) => owners.find({ include: { items: { where: { title: 'a' } } } }), 'include.items.where.title'],
];

/** Refused calls on a searchable sealed field: the same for `author` (named in sensitiveFields) and `tag` (declared sensitive()). */
const searchable: [string, (n: Sealed, field: string) => Promise<unknown>][] = [
  ['ne', (n, field) => n.find({ where: { [field]: { ne: 'x' } } })],
  ['notIn', (n, field) => n.find({ where: { [field]: { notIn: ['x'] } } })],
  ['gt', (n, field) => n.count({ [field]: { gt: 'x' } })],
  ['not eq', (n, field) => n.find({ where: { not: { [field]: 'x' } } })],
  ['not in', (n, field) => n.updateMany({ not: { [field]: { in: ['x'] } } }, { owner: 'x' })],
  ['orderBy', (n, field) => n.find({ orderBy: { [field]: 'asc' } })],
];

/**
 * A record-mode repository whose sealed fields the schema mostly does not
 * mark sensitive: core refuses every test on those without a blind index,
 * and ne / notIn / negations on those with one, with a ValidationError
 * before anything is sent, as on fields declared sensitive(); the allowed
 * lookups and increments (of sensitive() sealed fields too) still work. Names carry `suffix` (their tables end in it).
 */
export async function sealedOperatorsScenario(label: string, base: Driver, suffix: string): Promise<void> {
  const notes = defineRepository(`sealed_${suffix}`, {
    id: f.id(),
    owner: f.string(),
    title: f.string().optional(),
    stars: f.integer().default(0),
    author: f.string().optional(),
    tag: f.string().optional().sensitive({ searchable: true }),
    memo: f.string().optional().sensitive(),
    score: f.integer().default(0).sensitive(),
    version: f.version(),
  });
  const owners = defineRepository(`sealed_owners_${suffix}`, { id: f.id(), name: f.string() });
  const repositories = { notes, owners };
  const relations = defineRelations(repositories, { owners: (r) => ({ items: r.many('notes', { field: 'owner' }) }) });
  const author = `${notes.schema.name}.author`;
  const { driver, calls } = countingDriver(base);
  const db = createDatabase({
    driver,
    repositories,
    relations,
    plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], repositories: { [notes.schema.name]: { seal: true, clear: ['owner'] } }, sensitiveFields: [author], blindIndex: { fields: [author] } })],
  });
  await db.connect();
  try {
    const n = db.notes as unknown as Sealed;
    const o = db.owners as unknown as Loose;
    const owner = await o.create({ name: 'o' });
    const made: { id: string }[] = [];
    for (const [title, stars, who, tag] of [['a', 1, 'x', 'x'], ['b', 2, 'y', 'y'], [null, 3, null, null]] as const) {
      made.push(await n.create({ owner: owner.id, title, stars, author: who, tag }));
    }
    const before = calls();
    for (const [what, run, path, message = NO_INDEX] of unindexed) {
      const error = await run(n, o).then(() => undefined, (e: unknown) => e);
      assert.instance(error, ValidationError, `${label} ${what}`);
      assert.equal((error as ValidationError).issues.map((i) => i.path), [path], `${label} ${what}: path`);
      assert.match((error as Error).message, message, `${label} ${what}: message`);
    }
    for (const [what, run] of searchable) {
      const [named, declared] = [await run(n, 'author').then(() => undefined, (e: unknown) => e), await run(n, 'tag').then(() => undefined, (e: unknown) => e)];
      assert.instance(named, ValidationError, `${label} ${what}: named in sensitiveFields`);
      assert.instance(declared, ValidationError, `${label} ${what}: declared`);
      const issues = (e: unknown, field: string) => (e as ValidationError).issues.map((i) => ({ ...i, path: i.path.replace(field, '<field>') }));
      assert.equal(issues(named, 'author'), issues(declared, 'tag'), `${label} ${what}`);
      assert.match((named as Error).message, /not available on an encrypted field|cannot be sort keys/);
    }
    assert.is(calls(), before, `${label}: refused queries send nothing`);

    const titles = async (where: object) => (await n.find({ where, orderBy: { id: 'asc' } })).map((r) => (r as unknown as { title: string | null }).title);
    assert.equal(await titles({}), ['a', 'b', null], `${label}: refused writes changed nothing`);
    assert.equal(await titles({ author: 'y' }), ['b'], `${label} author eq`);
    assert.equal(await titles({ author: { in: ['x', 'y', 'z'] } }), ['a', 'b'], `${label} author in`);
    assert.equal(await titles({ author: { isNull: true } }), [null], `${label} author isNull`);
    assert.equal(await titles({ not: { author: null } }), ['a', 'b'], `${label} author not null`);
    assert.equal(await titles({ tag: 'x', owner: owner.id }), ['a'], `${label} tag eq and a clear field`);
    assert.equal((await n.aggregate({ count: ['author'] }) as { count: object }[]).map((g) => g.count), [{ author: 2 }], `${label} count of a searchable sealed field`);
    assert.is((await n.update(made[0]!.id, { stars: { increment: 2 } })).stars, 3, `${label} increment of a sealed field`);
    const bumped = await n.update(made[1]!.id, { score: { increment: 5 } }) as unknown as { score: number; author: string };
    assert.equal([bumped.score, bumped.author], [5, 'y'], `${label} increment of a sealed sensitive() field`);
    assert.equal(await titles({ author: 'y' }), ['b'], `${label}: the blind index survives the resealing`);
  } finally {
    await db.close();
  }
}
