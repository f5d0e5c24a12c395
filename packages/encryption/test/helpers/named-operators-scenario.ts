import * as assert from 'uvu/assert';
import { createDatabase, defineRelations, defineRepository, f, ValidationError } from '@chatcore/core';
import type { Driver } from '@chatcore/core/driver';
import { encryption } from '../../src/index.js';
import { KEY_A } from './keys.js';
import { countingDriver } from './counting-driver.js';

/** The calls both repositories take, without the per-field operator types (refused operators must not compile on `declared`). */
export interface Loose {
  create(input: object): Promise<{ id: string }>;
  find(query: object): Promise<{ id: string; name: string }[]>;
  count(where: object): Promise<number>;
  aggregate(query: object): Promise<unknown>;
  updateMany(where: object, patch: object): Promise<unknown>;
  deleteMany(where: object): Promise<unknown>;
}

/** A repository under test and the parent repository whose `items` relation includes it. */
export interface Target {
  readonly repo: Loose;
  readonly owners: Loose;
}

/** Refused calls: what is asked, the call, and the paths of the issues it raises. */
export const refused: [string, (t: Target) => Promise<unknown>, string[]?][] = [
  ['ne', (t) => t.repo.find({ where: { ssn: { ne: 'x' } } }), ['where.ssn.ne']],
  ['notIn', (t) => t.repo.find({ where: { ssn: { notIn: ['x', 'y'] } } })],
  ['gt', (t) => t.repo.count({ ssn: { gt: 'a' } })],
  ['startsWith', (t) => t.repo.find({ where: { or: [{ name: 'a' }, { ssn: { startsWith: 's' } }] } })],
  ['orderBy', (t) => t.repo.find({ orderBy: { ssn: 'asc' } })],
  ['updateMany ne', (t) => t.repo.updateMany({ ssn: { ne: 'x' } }, { name: 'x' })],
  ['deleteMany notIn', (t) => t.repo.deleteMany({ ssn: { notIn: ['x'] } })],
  // A negation is pushed down to the same inequality on the blind index as ne / notIn.
  ['not eq', (t) => t.repo.find({ where: { not: { ssn: '111' } } }), ['where.not.ssn']],
  ['not eq operator', (t) => t.repo.find({ where: { not: { ssn: { eq: '111' } } } }), ['where.not.ssn.eq']],
  ['not in', (t) => t.repo.find({ where: { not: { ssn: { in: ['111', '222'] } } } }), ['where.not.ssn.in']],
  ['not inside or', (t) => t.repo.find({ where: { or: [{ name: 'c' }, { not: { ssn: '111' } }] } }), ['where.or[1].not.ssn']],
  ['not of and', (t) => t.repo.find({ where: { not: { and: [{ name: 'a' }, { ssn: '111' }] } } }), ['where.not.and[1].ssn']],
  ['three nots', (t) => t.repo.find({ where: { not: { not: { not: { ssn: '111' } } } } }), ['where.not.not.not.ssn']],
  ['count not', (t) => t.repo.count({ not: { ssn: '111' } })],
  ['aggregate not', (t) => t.repo.aggregate({ where: { not: { ssn: { in: ['111'] } } }, count: ['_all'] })],
  ['updateMany not', (t) => t.repo.updateMany({ not: { ssn: '111' } }, { name: 'x' })],
  ['deleteMany not', (t) => t.repo.deleteMany({ not: { ssn: { in: ['111'] } } })],
  ['include where not', (t) => t.owners.find({ include: { items: { where: { not: { ssn: '111' } } } } }), ['include.items.where.not.ssn']],
];

/**
 * The same searchable field declared two ways, in the schema and only in
 * the plugin's options: every refused call raises the same ValidationError
 * on both and sends nothing; allowed tests (negated isNull included) find
 * the right rows. Names carry `suffix` (tables on a shared server never
 * collide: their names all end in it).
 */
export async function namedOperatorsScenario(label: string, base: Driver, suffix: string): Promise<void> {
  const declared = defineRepository(`declared_${suffix}`, { id: f.id(), name: f.string(), ownerId: f.string().optional(), ssn: f.string().optional().sensitive({ searchable: true }) });
  const named = defineRepository(`named_${suffix}`, { id: f.id(), name: f.string(), ownerId: f.string().optional(), ssn: f.string().optional() });
  const ownersD = defineRepository(`owners_d_${suffix}`, { id: f.id(), name: f.string() });
  const ownersN = defineRepository(`owners_n_${suffix}`, { id: f.id(), name: f.string() });
  const repositories = { declared, named, ownersD, ownersN };
  const relations = defineRelations(repositories, {
    ownersD: (r) => ({ items: r.many('declared', { field: 'ownerId' }) }),
    ownersN: (r) => ({ items: r.many('named', { field: 'ownerId' }) }),
  });
  const { driver, calls } = countingDriver(base);
  const db = createDatabase({
    driver,
    repositories,
    relations,
    plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], sensitiveFields: [`${named.schema.name}.ssn`], blindIndex: { fields: [`${named.schema.name}.ssn`] } })],
  });
  await db.connect();
  try {
    const targets: Record<string, Target> = {
      declared: { repo: db.declared as unknown as Loose, owners: db.ownersD as unknown as Loose },
      named: { repo: db.named as unknown as Loose, owners: db.ownersN as unknown as Loose },
    };
    for (const t of Object.values(targets)) {
      const owner = await t.owners.create({ name: 'o' });
      for (const [name, ssn] of [['a', '111'], ['b', '222'], ['c', null]] as const) await t.repo.create({ name, ssn, ownerId: owner.id });
    }
    const before = calls();
    for (const [what, run, paths] of refused) {
      const errors = [];
      for (const t of Object.values(targets)) errors.push(await run(t).then(() => undefined, (e: unknown) => e));
      const [fromSchema, fromOptions] = errors;
      assert.instance(fromSchema, ValidationError, `${label} ${what}: declared`);
      assert.instance(fromOptions, ValidationError, `${label} ${what}: named in sensitiveFields`);
      assert.equal((fromOptions as ValidationError).issues, (fromSchema as ValidationError).issues, `${label} ${what}`);
      assert.is((fromOptions as Error).message, (fromSchema as Error).message);
      assert.match((fromOptions as Error).message, /not available on an encrypted field|cannot be sort keys/);
      if (/\bnot\b|nots/.test(what)) assert.match((fromOptions as Error).message, /under not is not available on an encrypted field: a negated blind-index lookup would leave out the rows whose index collides/);
      if (paths) assert.equal((fromOptions as ValidationError).issues.map((i) => i.path), paths, `${label} ${what}: paths`);
    }
    assert.is(calls(), before, `${label}: refused queries send nothing`);

    for (const [kind, t] of Object.entries(targets)) {
      const names = async (where: object) => (await t.repo.find({ where, orderBy: { name: 'asc' } })).map((x) => x.name);
      assert.equal(await names({}), ['a', 'b', 'c'], `${label} ${kind}: refused writes changed nothing`);
      assert.equal(await names({ ssn: '222' }), ['b'], `${label} ${kind} eq`);
      assert.equal(await names({ ssn: { in: ['111', '222', '333'] } }), ['a', 'b'], `${label} ${kind} in`);
      assert.equal(await names({ ssn: { isNull: true } }), ['c'], `${label} ${kind} isNull`);
      assert.equal(await names({ not: { ssn: null } }), ['a', 'b'], `${label} ${kind} not null`);
      assert.equal(await names({ not: { ssn: { isNull: true } } }), ['a', 'b'], `${label} ${kind} not isNull`);
      assert.equal(await names({ ssn: { ne: null } }), ['a', 'b'], `${label} ${kind} ne null`);
      assert.equal(await names({ ssn: { eq: null } }), ['c'], `${label} ${kind} eq null`);
      assert.equal(await names({ not: { not: { ssn: '111' } } }), ['a'], `${label} ${kind} not not eq`);
      assert.equal(await names({ not: { name: 'a' }, ssn: { in: ['111', '222'] } }), ['b'], `${label} ${kind} not on a plain field`);
      const owners = await t.owners.find({ include: { items: { where: { ssn: '111' } } } }) as unknown as { items: { name: string }[] }[];
      assert.equal(owners.map((o) => o.items.map((i) => i.name)), [['a']], `${label} ${kind} include where eq`);
      const withSsn = await t.owners.find({ include: { items: { where: { ssn: { ne: null } }, orderBy: { name: 'asc' } } } }) as unknown as { items: { name: string }[] }[];
      assert.equal(withSsn.map((o) => o.items.map((i) => i.name)), [['a', 'b']], `${label} ${kind} include where ne null`);
    }
  } finally {
    await db.close();
  }
}
