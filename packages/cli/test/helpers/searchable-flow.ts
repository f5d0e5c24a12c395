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

interface Columns { (table: string): Promise<string[]> }
interface Nullable { (table: string, column: string): Promise<boolean | undefined> }

/**
 * Encrypted fields (optional and required) made searchable on tables that
 * hold rows, the same on every SQL backend: `schema plan` and `schema apply` (and connect in apply
 * mode) refuse the blind-index columns that would be empty on old rows, and
 * point to a migration; `migrate create` plans it, `migrate up` applies it,
 * lookups then find the old rows, and a required field's blind index ends
 * NOT NULL. `dir` holds a chatcore.yaml with one
 * key `${K1}`; `driver` opens the same database in this process.
 */
export function searchableFlow(test: Test, dir: string, env: NodeJS.ProcessEnv & { K1: string }, driver: () => Driver): void {
  const before = { ...env, CHATCORE_REPOSITORIES: fixture('searchable-v1.mjs') };
  const after = { ...env, CHATCORE_REPOSITORIES: fixture('searchable-v2.mjs') };
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: after, timeoutMs: 240_000 });
  const plugins = () => [encryption({ keys: [{ id: 'k1', key: env.K1, active: true }] })];
  const described = async (table: string) => {
    const d = driver() as unknown as { connect(): Promise<void>; close(): Promise<void>; executor: { execute(s: { sql: string; parameters: unknown[] }): Promise<{ rows: Array<Record<string, unknown>> }> } };
    await d.connect();
    try {
      const { rows } = await d.executor.execute({ sql: 'select column_name, is_nullable from information_schema.columns where table_schema = current_schema() and table_name = $1 order by column_name', parameters: [table] });
      return rows.map((r) => ({ name: String(r.column_name), nullable: r.is_nullable === 'YES' }));
    } finally {
      await d.close();
    }
  };
  const columns: Columns = async (table) => (await described(table)).map((c) => c.name);
  const nullable: Nullable = async (table, column) => (await described(table)).find((c) => c.name === column)?.nullable;
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
    assert.match((err as Error).message, 'people.ssn_bidx (people.ssnBidx) is missing and derives from people.ssn, which existing rows have values of');
    assert.match((err as Error).message, 'people.email_bidx (people.emailBidx) is missing and derives from people.email');
    assert.match((err as Error).message, 'notes.body_bidx (notes.bodyBidx) is missing and derives from notes.body');
    assert.match((err as Error).message, 'notes.title_bidx (notes.titleBidx) is missing and derives from notes.title');
    assert.not.ok((await columns('people')).some((c) => c.endsWith('_bidx')), 'nothing was added');
  });

  test('searchable: schema plan exits 1 naming repository and field, pointing to migrate create and up; empty blind indexes stay additive', async () => {
    const plan = await cli(['schema', 'plan']);
    assert.is(plan.code, 1, show(plan));
    assert.match(plan.stdout, /! people\.ssn_bidx \(people\.ssnBidx\) is missing and derives from people\.ssn/);
    assert.match(plan.stdout, /! notes\.body_bidx \(notes\.bodyBidx\) is missing and derives from notes\.body/);
    assert.match(plan.stdout, /`chatcore migrate create <name>`.*then run `chatcore migrate up`/);
    assert.match(plan.stdout, /! people\.email_bidx \(people\.emailBidx\) is missing and derives from people\.email/);
    assert.match(plan.stdout, /! notes\.title_bidx \(notes\.titleBidx\) is missing and derives from notes\.title/);
    assert.not.match(plan.stdout, /\+ .*(ssn|email|body|title)_bidx/, 'neither the columns nor their indexes are offered');
    assert.match(plan.stdout, /\+ add column tags\.label_bidx text/, 'every label is null: nothing to fill');
    assert.match(plan.stdout, /\+ add column drafts\.text_bidx text/, 'no rows: nothing to fill');
  });

  test('searchable: schema apply refuses (exit 1, ok false, nothing applied) and changes nothing', async () => {
    const apply = await cli(['schema', 'apply', '--json']);
    assert.is(apply.code, 1, show(apply));
    const body = jsonOf<{ ok: boolean; applied: string[]; destructive: string[]; additive: Array<{ description: string }> }>(apply);
    assert.is(body.ok, false);
    assert.equal(body.applied, []);
    assert.is(body.destructive.length, 4, show(apply));
    assert.ok(body.additive.some((s) => s.description === 'add column tags.label_bidx text'), show(apply));
    assert.equal(await columns('people'), ['email', 'id', 'name', 'row_auth', 'ssn', 'version']);
    assert.not.ok((await columns('tags')).includes('label_bidx'), 'a refused apply runs nothing');
  });

  test('searchable: migrate create plans addIndex and a backfill; migrate up makes lookups find the old rows, a required field\'s blind index NOT NULL', async () => {
    const created = await cli(['migrate', 'create', 'searchable', '--ext', 'mjs']);
    assert.is(created.code, 0, show(created));
    const source = readFileSync(created.stdout.split('\n')[0]!, 'utf8');
    assert.match(source, /m\.addIndex\('people', \['ssn'\]\);/);
    assert.match(source, /m\.backfill\('people', \{ batchSize: 500 \}, \(row\) => \(row\.ssn == null \? undefined : \{ ssn: row\.ssn \}\)\);/);
    assert.match(source, /m\.addIndex\('people', \['email'\]\);/);
    assert.match(source, /m\.backfill\('notes', /);
    const up = await cli(['migrate', 'up']);
    assert.is(up.code, 0, show(up));
    const verify = await cli(['schema', 'verify']);
    assert.is(verify.code, 0, show(verify));
    assert.is(await nullable('people', 'email_bidx'), false, 'required once the backfill filled it');
    assert.is(await nullable('notes', 'title_bidx'), false);
    assert.is(await nullable('people', 'ssn_bidx'), true);

    const db = createDatabase({ driver: driver(), repositories: v2.repositories, plugins: plugins(), schemaMode: 'verify' });
    await db.connect();
    try {
      assert.is((await db.people.findOne({ where: { ssn: '111-22-3333' } }))?.id, ids.ada);
      assert.is((await db.notes.findOne({ where: { body: 'secret' } }))?.id, ids.note);
      assert.is((await db.people.findOne({ where: { email: 'bob@example.com' } }))?.id, ids.bob);
      assert.is((await db.people.findOne({ where: { email: 'ada@example.com' } }))?.id, ids.ada);
      assert.is((await db.notes.findOne({ where: { title: 'plans' } }))?.id, ids.note);
      assert.is(await db.people.count({ ssn: null }), 1);
    } finally {
      await db.close();
    }
  });
}
