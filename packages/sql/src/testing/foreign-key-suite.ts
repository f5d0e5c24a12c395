import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f, ForeignKeyError, SchemaDriftError, type OnDelete } from '@chatcore/core';
import { suffix, type SqlSuiteOptions } from './fixtures.js';
import { spiedDriver } from './spied-database.js';

function parents(table: string) {
  return defineRepository('parents', { id: f.id(), name: f.string() }, { table });
}
function children(table: string, onDelete: Exclude<OnDelete, 'set null'> | undefined, constraint = true) {
  return defineRepository('children', { id: f.id(), parentId: f.string().references('parents', { ...(onDelete ? { onDelete } : {}), constraint }) }, { table });
}
function plainChildren(table: string) {
  return defineRepository('children', { id: f.id(), parentId: f.string() }, { table });
}

/**
 * FOREIGN KEY constraints of `.references()` fields on a SQL backend: created
 * by ensureSchema whatever the order of the repositories, with the declared
 * ON DELETE action; reported by verify; refused (drift) over rows that would
 * violate them or when the action differs; absent with `constraint: false`;
 * violations raised as ForeignKeyError with the data unchanged.
 *
 * @example
 * ```ts
 * registerForeignKeySuite({ name: 'pglite', createExecutor: () => new PgliteExecutor({ client }) }).run();
 * ```
 */
export function registerForeignKeySuite(options: SqlSuiteOptions) {
  const s = suite(`${options.name}: foreign keys`);
  const ctx = spiedDriver(s, options);
  const tables = ctx.tables;
  const table = (base: string) => { const t = `${base}_${suffix()}`; tables.push(t); return t; };
  const constraints = async (t: string) =>
    (await ctx.spy.execute({
      sql: `select c.conname, c.confdeltype from pg_constraint c join pg_class t on t.oid = c.conrelid
             where c.contype = 'f' and t.relnamespace = current_schema()::regnamespace and t.relname = $1 order by 1`,
      parameters: [t],
    })).rows.map((r) => `${String(r.conname)}:${String(r.confdeltype)}`);


  s('ensureSchema adds the constraint with its ON DELETE action, child listed first; a second run changes nothing', async () => {
    const p = table('fk_parents');
    const c = table('fk_children');
    const first = await ctx.driver.ensureSchema([children(c, 'cascade').schema, parents(p).schema], { mode: 'apply' });
    assert.ok(first.applied.some((a) => a.startsWith(`add foreign key ${c}_parent_id_fkey`)), first.applied.join(', '));
    assert.equal(await constraints(c), [`${c}_parent_id_fkey:c`]);
    assert.equal((await ctx.driver.ensureSchema([children(c, 'cascade').schema, parents(p).schema], { mode: 'apply' })).applied, []);
  });

  s('verify reports a missing constraint without adding it; apply adds it to a table that has rows', async () => {
    const p = table('fk_parents');
    const c = table('fk_children');
    await ctx.driver.ensureSchema([parents(p).schema, plainChildren(c).schema], { mode: 'apply' });
    await ctx.driver.insert(parents(p).schema, [{ id: 'p1', name: 'one' }], {});
    await ctx.driver.insert(plainChildren(c).schema, [{ id: 'c1', parentId: 'p1' }], {});
    const schemas = [parents(p).schema, children(c, undefined).schema];
    try {
      await ctx.driver.ensureSchema(schemas, { mode: 'verify' });
      assert.unreachable('verify should report the missing constraint');
    } catch (error) {
      assert.instance(error, SchemaDriftError);
      assert.match((error as Error).message, `${c}_parent_id_fkey`);
    }
    assert.equal(await constraints(c), []);
    await ctx.driver.ensureSchema(schemas, { mode: 'apply' });
    assert.equal(await constraints(c), [`${c}_parent_id_fkey:r`]);
    await ctx.driver.ensureSchema(schemas, { mode: 'verify' });
  });

  s('rows that reference missing records stop apply with SchemaDriftError; nothing changes', async () => {
    const p = table('fk_parents');
    const c = table('fk_children');
    await ctx.driver.ensureSchema([parents(p).schema, plainChildren(c).schema], { mode: 'apply' });
    await ctx.driver.insert(plainChildren(c).schema, [{ id: 'orphan', parentId: 'gone' }], {});
    try {
      await ctx.driver.ensureSchema([parents(p).schema, children(c, 'cascade').schema], { mode: 'apply' });
      assert.unreachable('apply should refuse');
    } catch (error) {
      assert.instance(error, SchemaDriftError);
      assert.match((error as Error).message, 'reference records that do not exist');
    }
    assert.equal(await constraints(c), []);
    assert.is((await ctx.driver.getByIds(plainChildren(c).schema, ['orphan'], {})).length, 1);
  });

  s('a constraint with another ON DELETE action is drift; constraint: false adds none', async () => {
    const p = table('fk_parents');
    const c = table('fk_children');
    await ctx.driver.ensureSchema([parents(p).schema, children(c, 'restrict').schema], { mode: 'apply' });
    try {
      await ctx.driver.ensureSchema([parents(p).schema, children(c, 'cascade').schema], { mode: 'apply' });
      assert.unreachable('a changed action should be drift');
    } catch (error) {
      assert.instance(error, SchemaDriftError);
      assert.match((error as Error).message, 'another on delete action');
    }
    const loose = table('fk_loose');
    await ctx.driver.ensureSchema([parents(p).schema, children(loose, 'cascade', false).schema], { mode: 'apply' });
    assert.equal(await constraints(loose), []);
  });

  s('a missing target and a restricted delete raise ForeignKeyError naming the reference; data unchanged', async () => {
    const p = table('fk_parents');
    const c = table('fk_children');
    const schemas = [parents(p).schema, children(c, 'restrict').schema] as const;
    await ctx.driver.ensureSchema(schemas, { mode: 'apply' });
    await ctx.driver.insert(schemas[0], [{ id: 'p1', name: 'one' }], {});
    await ctx.driver.insert(schemas[1], [{ id: 'c1', parentId: 'p1' }], {});
    try {
      await ctx.driver.insert(schemas[1], [{ id: 'c2', parentId: 'nope' }], {});
      assert.unreachable('insert should fail');
    } catch (error) {
      assert.instance(error, ForeignKeyError);
      const info = (error as ForeignKeyError).info;
      assert.equal([info.reason, info.repository, info.field, info.target], ['missing-target', 'children', 'parentId', 'parents']);
      assert.not.match((error as Error).message, 'nope');
    }
    try {
      await ctx.driver.delete(schemas[0], { ids: ['p1'] }, {});
      assert.unreachable('delete should fail');
    } catch (error) {
      assert.instance(error, ForeignKeyError);
      assert.is((error as ForeignKeyError).info.reason, 'restricted');
      assert.is((error as ForeignKeyError).info.repository, 'children');
    }
    assert.is((await ctx.driver.getByIds(schemas[0], ['p1'], {})).length, 1);
    assert.equal((await ctx.driver.getByIds(schemas[1], ['c1', 'c2'], {})).map((r) => r.id), ['c1']);
  });

  return s;
}
