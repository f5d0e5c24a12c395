import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, ValidationError } from '@chatcore/core';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { encryption } from '../src/index.js';
import { KEY_A } from './helpers/keys.js';
import { countingDriver } from './helpers/counting-driver.js';

// The same searchable field declared two ways: in the schema, and only in the plugin's options.
const declared = defineRepository('declared', { id: f.id(), name: f.string(), ssn: f.string().optional().sensitive({ searchable: true }) });
const named = defineRepository('named', { id: f.id(), name: f.string(), ssn: f.string().optional() });

/** The calls both repositories take, without the per-field operator types (refused operators must not compile on `declared`). */
interface Loose {
  create(input: object): Promise<{ id: string }>;
  find(query: object): Promise<{ id: string; name: string }[]>;
  count(where: object): Promise<number>;
  updateMany(where: object, patch: object): Promise<unknown>;
  deleteMany(where: object): Promise<unknown>;
}

const refused: [string, (r: Loose) => Promise<unknown>][] = [
  ['ne', (r) => r.find({ where: { ssn: { ne: 'x' } } })],
  ['ne null', (r) => r.find({ where: { ssn: { ne: null } } })],
  ['notIn', (r) => r.find({ where: { ssn: { notIn: ['x', 'y'] } } })],
  ['gt', (r) => r.count({ ssn: { gt: 'a' } })],
  ['startsWith', (r) => r.find({ where: { or: [{ name: 'a' }, { ssn: { startsWith: 's' } }] } })],
  ['orderBy', (r) => r.find({ orderBy: { ssn: 'asc' } })],
  ['updateMany ne', (r) => r.updateMany({ ssn: { ne: 'x' } }, { name: 'x' })],
  ['deleteMany notIn', (r) => r.deleteMany({ ssn: { notIn: ['x'] } })],
];

async function scenario(label: string, base: Driver): Promise<void> {
  const { driver, calls } = countingDriver(base);
  const db = createDatabase({
    driver,
    repositories: { declared, named },
    plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], sensitiveFields: ['named.ssn'], blindIndex: { fields: ['named.ssn'] } })],
  });
  await db.connect();
  try {
    const repos = { declared: db.declared as unknown as Loose, named: db.named as unknown as Loose };
    for (const r of Object.values(repos)) {
      for (const [name, ssn] of [['a', '111'], ['b', '222'], ['c', null]] as const) await r.create({ name, ssn });
    }
    const before = calls();
    for (const [what, run] of refused) {
      const errors = [];
      for (const r of Object.values(repos)) errors.push(await run(r).then(() => undefined, (e: unknown) => e));
      const [fromSchema, fromOptions] = errors;
      assert.instance(fromSchema, ValidationError, `${label} ${what}: declared`);
      assert.instance(fromOptions, ValidationError, `${label} ${what}: named in sensitiveFields`);
      assert.equal((fromOptions as ValidationError).issues, (fromSchema as ValidationError).issues, `${label} ${what}`);
      assert.is((fromOptions as Error).message, (fromSchema as Error).message);
      assert.match((fromOptions as Error).message, /not available on an encrypted field|cannot be sort keys/);
    }
    assert.is(calls(), before, `${label}: refused queries send nothing`);

    for (const [kind, r] of Object.entries(repos)) {
      const names = async (where: object) => (await r.find({ where, orderBy: { name: 'asc' } })).map((x) => x.name);
      assert.equal(await names({ ssn: '222' }), ['b'], `${label} ${kind} eq`);
      assert.equal(await names({ ssn: { in: ['111', '222', '333'] } }), ['a', 'b'], `${label} ${kind} in`);
      assert.equal(await names({ ssn: { isNull: true } }), ['c'], `${label} ${kind} isNull`);
      assert.equal(await names({ not: { ssn: '111' } }), ['b'], `${label} ${kind} not eq`);
    }
  } finally {
    await db.close();
  }
}

test('memory: ne, notIn and other refused operators on a field named in sensitiveFields raise the ValidationError of a sensitive() field', async () => {
  await scenario('memory', memoryDriver());
});

test('PGlite: ne, notIn and other refused operators on a field named in sensitiveFields raise the ValidationError of a sensitive() field', async () => {
  await scenario('pglite', pglite());
});

test.run();
