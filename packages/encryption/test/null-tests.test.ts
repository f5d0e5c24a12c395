import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f, ValidationError } from '@chatcore/core';
import { BACKENDS, useBackends } from './helpers/backends.js';
import { suffix } from './helpers/every-backend.js';

// Every spelling of the null and not-null tests on encrypted fields, in
// field mode (with and without a blind index; strings, json and bytes) and
// in record mode (sealed with a blind index), checked against the plain
// values, in find, findOne, count, updateMany and deleteMany. A sealed field
// without a blind index takes no test, not even for null.

interface Repo {
  createMany(rows: object[]): Promise<{ id: string }[]>;
  find(q?: object): Promise<Record<string, unknown>[]>;
  findOne(q: object): Promise<{ id: string } | null>;
  count(where: object): Promise<number>;
  updateMany(where: object, patch: object): Promise<number>;
  deleteMany(where: object): Promise<number>;
}

function repos(s: string) {
  const fields = defineRepository('fields', {
    id: f.id(),
    ssn: f.string().optional().sensitive(),
    email: f.string().optional().sensitive({ searchable: true }),
    profile: f.json<{ a?: number }>().optional().sensitive(),
    photo: f.bytes().optional().sensitive(),
    touched: f.integer().default(0),
  }, { table: `encnt_fields_${s}` });
  const sealed = defineRepository('sealed', {
    id: f.id(),
    owner: f.string(),
    email: f.string().optional().sensitive({ searchable: true }),
    note: f.string().optional(),
    touched: f.integer().default(0),
  }, { table: `encnt_sealed_${s}`, plugins: { encryption: { seal: true, clear: ['owner', 'touched'] } } });
  return { fields, sealed };
}

/** The null tests of `k`, each with whether it selects the null values. */
const spellings = (k: string): [object, boolean][] => [
  [{ [k]: null }, true],
  [{ [k]: { eq: null } }, true],
  [{ [k]: { isNull: true } }, true],
  [{ not: { [k]: { ne: null } } }, true],
  [{ [k]: { ne: null } }, false],
  [{ [k]: { isNull: false } }, false],
  [{ not: { [k]: null } }, false],
  [{ not: { [k]: { eq: null } } }, false],
];

async function check(repo: Repo, k: string, rows: Record<string, unknown>[], label: string): Promise<void> {
  const sorted = (xs: string[]) => [...xs].sort();
  for (const [where, nulls] of spellings(k)) {
    const what = `${label}: ${JSON.stringify(where)}`;
    const expected = sorted(rows.filter((r) => (r[k] === null) === nulls).map((r) => r.id as string));
    assert.ok(expected.length > 0 && expected.length < rows.length, `${what}: the data has both`);
    assert.equal(sorted((await repo.find({ where })).map((r) => r.id as string)), expected, `find ${what}`);
    assert.is(await repo.count(where), expected.length, `count ${what}`);
    assert.is((await repo.findOne({ where, orderBy: { id: 'asc' } }))?.id, expected[0], `findOne ${what}`);
  }
}

const backends = await useBackends();
test.after(() => backends.close());

for (const name of BACKENDS) {
  test(`${name}: null and not-null tests on encrypted fields match the plain values`, async () => {
    const db = await backends.open(name, repos(suffix()), { encrypted: true });
    const fields = db.fields as unknown as Repo;
    const made = await fields.createMany([
      { ssn: '123-45-6789', email: 'a@example.com', profile: { a: 1 }, photo: new Uint8Array([1]) },
      { ssn: null, email: null, profile: null, photo: null },
      { ssn: '', email: '', profile: {}, photo: new Uint8Array() },
      { ssn: null, email: 'd@example.com', profile: null, photo: new Uint8Array([2]) },
    ]);
    const rows = await fields.find();
    assert.is(rows.length, made.length);
    for (const k of ['ssn', 'email', 'profile', 'photo']) await check(fields, k, rows, `fields.${k}`);
    // A value stays refused where there is no blind index, and ne of a value everywhere.
    for (const [where, path] of [[{ ssn: { ne: '123-45-6789' } }, 'where.ssn.ne'], [{ email: { ne: 'a@example.com' } }, 'where.email.ne'], [{ profile: { a: 1 } }, 'where.profile']] as const) {
      const e = await fields.find({ where }).then(() => undefined, (x: unknown) => x);
      assert.instance(e, ValidationError, JSON.stringify(where));
      assert.equal((e as ValidationError).issues.map((i) => i.path), [path]);
    }
    // By a null test, updateMany and deleteMany touch exactly the matching records.
    const withSsn = rows.filter((r) => r.ssn !== null).map((r) => r.id);
    assert.is(await fields.updateMany({ ssn: { ne: null } }, { touched: 1 }), withSsn.length, 'updateMany ssn ne null');
    assert.equal((await fields.find({ where: { touched: 1 } })).map((r) => r.id).sort(), withSsn.sort());
    assert.is(await fields.deleteMany({ photo: { ne: null }, ssn: null }), 1, 'deleteMany photo ne null and ssn null');
    assert.equal((await fields.find({ orderBy: { id: 'asc' } })).map((r) => r.id), rows.filter((r) => r.photo === null || r.ssn !== null).map((r) => r.id).sort());
  });

  test(`${name}: record mode: a sealed field is tested for null through its blind index, one without is refused`, async () => {
    const db = await backends.open(name, repos(suffix()), { encrypted: true });
    const sealed = db.sealed as unknown as Repo;
    await sealed.createMany([
      { owner: 'o', email: 'a@example.com', note: 'n' },
      { owner: 'o', email: null, note: null },
      { owner: 'o', email: 'c@example.com', note: null },
    ]);
    const rows = await sealed.find();
    await check(sealed, 'email', rows, 'sealed.email');
    assert.is(await sealed.updateMany({ email: { ne: null } }, { touched: 1 }), 2, 'updateMany sealed email ne null');
    for (const [where, path] of spellings('note').map(([w]) => [w, pathOf(w)] as const)) {
      const e = await sealed.find({ where }).then(() => undefined, (x: unknown) => x);
      assert.instance(e, ValidationError, JSON.stringify(where));
      const issues = (e as ValidationError).issues;
      assert.equal(issues.map((i) => i.path), [path], JSON.stringify(where));
      assert.match(issues[0]!.message, /is not available on a sealed field without a blind index: it is stored inside the record's envelope, where the database cannot test it/);
      await sealed.deleteMany(where).then(() => assert.unreachable('deleteMany by a null test of a sealed field'), (x: unknown) => assert.instance(x, ValidationError));
    }
    assert.is(await sealed.count({}), 3, 'nothing deleted');
  });
}

/** The issue path of a one-test filter: `where.note` for a shorthand, `where.note.<op>` for an operator, `where.not...` under not. */
function pathOf(where: object, at = 'where'): string {
  const [key, value] = Object.entries(where)[0]!;
  if (key === 'not') return pathOf(value as object, `${at}.not`);
  if (value === null) return `${at}.${key}`;
  return `${at}.${key}.${Object.keys(value as object)[0]}`;
}

test.run();
