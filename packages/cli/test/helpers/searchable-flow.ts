import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'uvu';
import { createDatabase, SchemaDriftError, type Driver } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { jsonOf, runCli, show } from './run-cli.js';
import * as v1 from '../fixtures/searchable-v1.mjs';
import * as v2 from '../fixtures/searchable-v2.mjs';

const fixture = (name: string) => join(fileURLToPath(import.meta.url), '..', '..', 'fixtures', name);

/**
 * What differs between backends in the flow. SQL (the default): blind
 * indexes are snake_case columns, an empty one is offered as an additive
 * `add column`, and a required field's blind index ends NOT NULL. Firestore:
 * fields keep their names, nothing is created ahead of a write, and nothing
 * is NOT NULL.
 */
export interface SearchableBackend {
  /** The stored name of a storage field, as the refusal names it (`ssn_bidx` on SQL, `ssnBidx` on Firestore). */
  readonly stored: (field: string) => string;
  /** Whether chatcore creates the columns and indexes: `schema plan` offers an empty blind index as `+ add column ...`, `migrate create` plans `addIndex`. */
  readonly createsColumns: boolean;
  /** Whether stored columns carry NOT NULL. */
  readonly notNull: boolean;
  /**
   * Whether a blind index is refused over rows whose values are all null
   * (Firestore: documents written before it lack the field, so a null test
   * would miss them; SQL adds the column to every row).
   */
  readonly refusesAllNull: boolean;
}

const SQL: SearchableBackend = { stored: (field) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), createsColumns: true, notNull: true, refusesAllNull: false };

/**
 * Encrypted fields (optional and required) made searchable on tables that
 * hold rows, the same on every backend: `schema plan` and `schema apply` (and connect in apply
 * mode) refuse the blind indexes that would be empty on old rows, and
 * point to a migration; `migrate create` plans it, `migrate up` applies it,
 * lookups then find the old rows, and (SQL) a required field's blind index ends
 * NOT NULL. `dir` holds a chatcore.yaml with one
 * key `${K1}`; `driver` opens the same database in this process.
 */
export function searchableFlow(test: Test, dir: string, env: NodeJS.ProcessEnv & { K1: string }, driver: () => Driver, backend: SearchableBackend = SQL): void {
  const before = { ...env, CHATCORE_REPOSITORIES: fixture('searchable-v1.mjs') };
  const after = { ...env, CHATCORE_REPOSITORIES: fixture('searchable-v2.mjs') };
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: after, timeoutMs: 240_000 });
  const plugins = () => [encryption({ keys: [{ id: 'k1', key: env.K1, active: true }] })];
  /** The stored columns (SQL) or the fields documents hold (Firestore), by name. */
  const described = async (table: string) => {
    const d = driver();
    await d.connect();
    try {
      const stored = (await d.migrations!.describe([table])).get(table);
      return [...(stored?.columns ?? [])].map(([name, c]) => ({ name, nullable: c.nullable })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } finally {
      await d.close();
    }
  };
  const columns = async (table: string) => (await described(table)).map((c) => c.name);
  const nullable = async (table: string, field: string) => (await described(table)).find((c) => c.name === backend.stored(field))?.nullable;
  /** How the refusal names a blind index: `people.ssn_bidx (people.ssnBidx)` on SQL. */
  const named = (repo: string, field: string) => `${repo}.${backend.stored(field)} (${repo}.${field})`;
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const refusedIn = (text: string, repo: string, field: string, from: string) =>
    assert.match(text, new RegExp(`! ${escaped(named(repo, field))} is missing and derives from ${repo}\\.${from}`));
  const ids: Record<string, string> = {};

  test('searchable: the old release writes rows; connecting the new one in apply mode refuses, naming each field', async () => {
    const up = await runCli(['migrate', 'up'], { cwd: dir, env: before, timeoutMs: 240_000 });
    assert.is(up.code, 0, show(up));
    const old = createDatabase({ driver: driver(), repositories: v1.repositories, plugins: plugins(), schemaMode: 'verify' });
    await old.connect();
    const [ada, bob] = await old.people.createMany([{ name: 'Ada', ssn: '111-22-3333', email: 'ada@example.com' }, { name: 'Bob', email: 'bob@example.com' }]);
    const [note] = await old.notes.createMany([{ topic: 't', body: 'secret', title: 'plans' }]);
    await old.tags.create({});
    await old.close();
    ids.ada = ada!.id;
    ids.bob = bob!.id;
    ids.note = note!.id;

    const next = createDatabase({ driver: driver(), repositories: v2.repositories, plugins: plugins() });
    const err = await next.connect().then(() => undefined, (e: unknown) => e);
    await next.close();
    assert.instance(err, SchemaDriftError);
    const message = (err as Error).message;
    assert.match(message, `${named('people', 'ssnBidx')} is missing and derives from people.ssn${backend.refusesAllNull ? ': 2 of 2 existing documents lack it' : ', which existing rows have values of'}`);
    assert.match(message, `${named('people', 'emailBidx')} is missing and derives from people.email`);
    assert.match(message, `${named('notes', 'bodyBidx')} is missing and derives from notes.body`);
    assert.match(message, `${named('notes', 'titleBidx')} is missing and derives from notes.title`);
    assert.not.match(message, /\bdrafts\./, 'no rows: nothing to fill');
    if (backend.refusesAllNull) assert.match(message, `${named('tags', 'labelBidx')} is missing and derives from tags.label`);
    else assert.not.match(message, /\btags\./, 'every label is null: nothing to fill');
    assert.not.ok((await columns('people')).some((c) => c === backend.stored('ssnBidx') || c === backend.stored('emailBidx')), 'nothing was added');
  });

  test('searchable: schema plan exits 1 naming repository and field, pointing to migrate create and up; blind indexes with nothing to fill are not refused', async () => {
    const plan = await cli(['schema', 'plan']);
    assert.is(plan.code, 1, show(plan));
    refusedIn(plan.stdout, 'people', 'ssnBidx', 'ssn');
    refusedIn(plan.stdout, 'notes', 'bodyBidx', 'body');
    assert.match(plan.stdout, /`chatcore migrate create <name>`.*then run `chatcore migrate up`/);
    refusedIn(plan.stdout, 'people', 'emailBidx', 'email');
    refusedIn(plan.stdout, 'notes', 'titleBidx', 'title');
    assert.not.match(plan.stdout, /\+ .*(ssn|email|body|title)_?[bB]idx/, 'neither the columns nor their indexes are offered');
    assert.not.match(plan.stdout, /! drafts\./, 'drafts has no rows: nothing to fill');
    if (backend.refusesAllNull) refusedIn(plan.stdout, 'tags', 'labelBidx', 'label');
    else assert.not.match(plan.stdout, /! tags\./, 'every label is null: nothing to fill');
    if (backend.createsColumns) {
      assert.match(plan.stdout, /\+ add column tags\.label_bidx text/, 'every label is null: nothing to fill');
      assert.match(plan.stdout, /\+ add column drafts\.text_bidx text/, 'no rows: nothing to fill');
    }
  });

  test('searchable: schema apply refuses (exit 1, ok false, nothing applied) and changes nothing', async () => {
    const apply = await cli(['schema', 'apply', '--json']);
    assert.is(apply.code, 1, show(apply));
    const body = jsonOf<{ ok: boolean; applied: string[]; destructive: string[]; additive: Array<{ description: string }> }>(apply);
    assert.is(body.ok, false);
    assert.equal(body.applied, []);
    assert.is(body.destructive.length, backend.refusesAllNull ? 5 : 4, show(apply));
    if (backend.createsColumns) assert.ok(body.additive.some((s) => s.description === 'add column tags.label_bidx text'), show(apply));
    assert.equal(await columns('people'), ['email', 'id', 'name', 'rowAuth', 'ssn', 'version'].map(backend.stored).sort());
    assert.not.ok((await columns('tags')).includes(backend.stored('labelBidx')), 'a refused apply runs nothing');
  });

  test('searchable: migrate create plans addIndex and a backfill; migrate up makes lookups find the old rows (SQL: a required field\'s blind index NOT NULL)', async () => {
    const created = await cli(['migrate', 'create', 'searchable', '--ext', 'mjs']);
    assert.is(created.code, 0, show(created));
    const source = readFileSync(created.stdout.split('\n')[0]!, 'utf8');
    if (backend.createsColumns) assert.match(source, /m\.addIndex\('people', \['ssn'\]\);/);
    assert.match(source, /m\.backfill\('people', \{ batchSize: 500 \}, \(row\) => \(row\.ssn == null \? undefined : \{ ssn: row\.ssn \}\)\);/);
    if (backend.createsColumns) assert.match(source, /m\.addIndex\('people', \['email'\]\);/);
    assert.match(source, /m\.backfill\('people', \{ batchSize: 500 \}, \(row\) => \(row\.email == null/);
    assert.match(source, /m\.backfill\('notes', /);
    const up = await cli(['migrate', 'up']);
    assert.is(up.code, 0, show(up));
    const verify = await cli(['schema', 'verify']);
    assert.is(verify.code, 0, show(verify));
    if (backend.notNull) {
      assert.is(await nullable('people', 'emailBidx'), false, 'required once the backfill filled it');
      assert.is(await nullable('notes', 'titleBidx'), false);
      assert.is(await nullable('people', 'ssnBidx'), true);
    }

    const db = createDatabase({ driver: driver(), repositories: v2.repositories, plugins: plugins(), schemaMode: 'verify' });
    await db.connect();
    try {
      assert.is((await db.people.findOne({ where: { ssn: '111-22-3333' } }))?.id, ids.ada);
      assert.is((await db.notes.findOne({ where: { body: 'secret' } }))?.id, ids.note);
      assert.is((await db.people.findOne({ where: { email: 'bob@example.com' } }))?.id, ids.bob);
      assert.is((await db.people.findOne({ where: { email: 'ada@example.com' } }))?.id, ids.ada);
      assert.is((await db.notes.findOne({ where: { title: 'plans' } }))?.id, ids.note);
      assert.is(await db.people.count({ ssn: null }), 1);
      assert.is(await db.tags.count({ label: null }), 1, 'the row written before the blind index has a null label');
    } finally {
      await db.close();
    }
  });
}
