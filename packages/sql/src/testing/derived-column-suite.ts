import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f, SchemaDriftError } from '@chatcore/core';
import type { FieldMeta, RepositorySchema } from '@chatcore/core/driver';
import { suffix, type SqlSuiteOptions } from './fixtures.js';
import { spiedDriver } from './spied-database.js';

const derived = (from: string, optional = true): FieldMeta => ({
  type: 'string', column: 'code_bidx', optional, unique: false, indexed: true, secret: false, storedAs: 'blind-index', derivedFrom: from,
});

/** `code` and, later, the field a plugin derives from it (as the encryption plugin adds a blind index). */
function versions(table: string, optional = true): { before: RepositorySchema; after: RepositorySchema } {
  const before = defineRepository('items', { id: f.id(), title: f.string(), code: f.text().optional() }, { table }).schema;
  const after = { ...before, fields: { ...before.fields, codeBidx: derived('code', optional) }, indexes: [{ name: 'items_code_bidx_idx', fields: ['codeBidx'], unique: false }] };
  return { before, after };
}

/** The same, with `code` kept inside an envelope field that `holds` it (the encryption plugin's record mode). */
function sealedVersions(table: string): { before: RepositorySchema; after: RepositorySchema } {
  const before = defineRepository('items', { id: f.id(), sealed: f.text() }, { table }).schema;
  const envelope: FieldMeta = { ...before.fields.sealed!, holds: { code: { searchable: true } } };
  return { before, after: { ...before, fields: { ...before.fields, sealed: envelope, codeBidx: derived('code') } } };
}

/**
 * A column whose values derive from another field (`FieldMeta.derivedFrom`,
 * e.g. a blind index) on a SQL backend: ensureSchema refuses to add it alone
 * to a table whose rows have values of that field (they would have none of
 * it), in apply and verify mode alike; adds it where nothing needs filling;
 * and a migration's schema step, which backfills it, adds it.
 *
 * @example
 * ```ts
 * registerDerivedColumnSuite({ name: 'pglite', createExecutor: () => new PgliteExecutor({ client }) }).run();
 * ```
 */
export function registerDerivedColumnSuite(options: SqlSuiteOptions) {
  const s = suite(`${options.name}: derived columns`);
  const ctx = spiedDriver(s, options);
  const tables = ctx.tables;
  const table = () => { const t = `derived_${suffix()}`; tables.push(t); return t; };
  const columnsOf = async (t: string) =>
    (await ctx.spy.execute({ sql: 'select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1 order by column_name', parameters: [t] })).rows.map((r) => String(r.column_name));
  const refusal = async (run: Promise<unknown>): Promise<SchemaDriftError> => {
    const err = await run.then(() => undefined, (e: unknown) => e);
    assert.instance(err, SchemaDriftError, 'should have raised SchemaDriftError');
    return err as SchemaDriftError;
  };


  s('a derived column is refused where rows have values of its source: SchemaDriftError naming both, nothing added', async () => {
    const t = table();
    const { before, after } = versions(t);
    await ctx.driver.ensureSchema([before], { mode: 'apply' });
    await ctx.driver.insert(before, [{ id: 'a', title: 'x', code: 'c-1' }, { id: 'b', title: 'y', code: null }], {});
    const err = await refusal(ctx.driver.ensureSchema([after], { mode: 'apply' }));
    assert.match(err.message, `${t}.code_bidx (items.codeBidx) is missing and derives from items.code, which existing rows have values of`);
    assert.match(err.message, 'add it with a migration that backfills it');
    assert.equal(await columnsOf(t), ['code', 'id', 'title']);
    // verify: the same difference, as one only a migration resolves; nothing over the column is offered as additive.
    const verify = await refusal(ctx.driver.ensureSchema([after], { mode: 'verify' }));
    assert.equal(verify.info.destructive, err.info.differences);
    assert.equal(verify.info.additive, []);
  });

  s('a required derived column is refused for the same reason, not as a required column', async () => {
    const t = table();
    const { before, after } = versions(t, false);
    await ctx.driver.ensureSchema([before], { mode: 'apply' });
    await ctx.driver.insert(before, [{ id: 'a', title: 'x', code: 'c-1' }], {});
    const err = await refusal(ctx.driver.ensureSchema([after], { mode: 'apply' }));
    assert.match(err.message, 'derives from items.code');
    assert.not.match(err.message, 'declared required');
  });

  s('with nothing to fill (no rows, or only nulls in the source) the derived column and its index are added', async () => {
    const empty = versions(table());
    await ctx.driver.ensureSchema([empty.before], { mode: 'apply' });
    assert.ok((await ctx.driver.ensureSchema([empty.after], { mode: 'apply' })).applied.some((a) => a.startsWith(`add column ${empty.after.table}.code_bidx`)));
    const nulls = versions(table());
    await ctx.driver.ensureSchema([nulls.before], { mode: 'apply' });
    await ctx.driver.insert(nulls.before, [{ id: 'a', title: 'x', code: null }], {});
    const report = await ctx.driver.ensureSchema([nulls.after], { mode: 'apply' });
    assert.equal(report.applied, [`add column ${nulls.after.table}.code_bidx text`, `create index ${nulls.after.table}_code_bidx_idx`]);
    assert.equal((await ctx.driver.ensureSchema([nulls.after], { mode: 'apply' })).applied, []);
  });

  s('a source held in an envelope: refused where rows exist (the envelope cannot be read in SQL), added on an empty table', async () => {
    const t = table();
    const { before, after } = sealedVersions(t);
    await ctx.driver.ensureSchema([before], { mode: 'apply' });
    await ctx.driver.insert(before, [{ id: 'a', sealed: 'opaque' }], {});
    const err = await refusal(ctx.driver.ensureSchema([after], { mode: 'apply' }));
    assert.match(err.message, `${t}.code_bidx (items.codeBidx) is missing and derives from items.code`);
    const empty = sealedVersions(table());
    await ctx.driver.ensureSchema([empty.before], { mode: 'apply' });
    assert.ok((await ctx.driver.ensureSchema([empty.after], { mode: 'apply' })).applied.some((a) => a.includes('code_bidx')));
  });

  s("a migration's schema step adds the derived column on a table with rows (its backfill fills it)", async () => {
    const t = table();
    const { before, after } = versions(t);
    await ctx.driver.ensureSchema([before], { mode: 'apply' });
    await ctx.driver.insert(before, [{ id: 'a', title: 'x', code: 'c-1' }], {});
    const done = await ctx.driver.migrations.applySchemaChanges([], [after]);
    assert.ok(done.includes(`add column ${t}.code_bidx text`), done.join(', '));
    assert.equal(await columnsOf(t), ['code', 'code_bidx', 'id', 'title']);
    assert.equal((await ctx.driver.ensureSchema([after], { mode: 'apply' })).applied, []);
  });

  return s;
}
