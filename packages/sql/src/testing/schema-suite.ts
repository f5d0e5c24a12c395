import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, defineRepository, f, SchemaDriftError } from '@chatcore/core';
import { SqlDriver } from '../sql-driver.js';
import { quoteIdent } from '../identifiers.js';
import { suffix, type SqlSuiteOptions } from './fixtures.js';
import { spiedDriver } from './spied-database.js';

function version1(table: string) {
  return defineRepository('items', { id: f.id(), title: f.string(), qty: f.integer(), version: f.version() }, { table });
}
function version2(table: string) {
  return defineRepository('items', {
    id: f.id(), title: f.string(), qty: f.integer(), note: f.text().optional(), version: f.version(),
  }, { table, indexes: [['title', 'qty']] });
}

/**
 * Schema management on a SQL backend: additive changes applied under the
 * advisory lock, drift refused with SchemaDriftError naming table.column and
 * both types, verify mode that runs no DDL, concurrent starts, and
 * identifiers that cannot be used in SQL refused before any statement.
 *
 * @example
 * ```ts
 * registerSchemaSuite({ name: 'pglite', createExecutor: () => new PgliteExecutor({ client }) }).run();
 * ```
 */
export function registerSchemaSuite(options: SqlSuiteOptions) {
  const s = suite(`${options.name}: schema management`);
  const ctx = spiedDriver(s, options);
  const tables = ctx.tables;
  const table = (base: string) => { const t = `${base}_${suffix()}`; tables.push(t); return t; };
  const exists = async (t: string) =>
    (await ctx.spy.execute({ sql: 'select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = $1', parameters: [t] })).rows[0]?.n === 1;


  s('ensureSchema creates tables and indexes once; a second run changes nothing', async () => {
    const t = table('items');
    const first = await ctx.driver.ensureSchema([version2(t).schema], { mode: 'apply' });
    assert.ok(first.applied.some((a) => a.includes(`create table ${t}`)));
    assert.ok(first.applied.some((a) => a.includes('index')));
    const second = await ctx.driver.ensureSchema([version2(t).schema], { mode: 'apply' });
    assert.equal(second.applied, []);
  });

  s('a new optional field becomes a new column; existing rows keep their data', async () => {
    const t = table('items');
    await ctx.driver.ensureSchema([version1(t).schema], { mode: 'apply' });
    await ctx.driver.insert(version1(t).schema, [{ id: 'r1', title: 'kept', qty: 2, version: 1 }], {});
    const report = await ctx.driver.ensureSchema([version2(t).schema], { mode: 'apply' });
    assert.ok(report.applied.some((a) => a.startsWith(`add column ${t}.note`)), report.applied.join(', '));
    const [row] = await ctx.driver.getByIds(version2(t).schema, ['r1'], {});
    assert.equal(row, { id: 'r1', title: 'kept', qty: 2, note: null, version: 1 });
  });

  s('a field that became optional lets its column take null (widening, no data lost)', async () => {
    const t = table('items');
    await ctx.driver.ensureSchema([version1(t).schema], { mode: 'apply' });
    const relaxed = defineRepository('items', { id: f.id(), title: f.string(), qty: f.integer().optional(), version: f.version() }, { table: t });
    const report = await ctx.driver.ensureSchema([relaxed.schema], { mode: 'apply' });
    assert.ok(report.applied.includes(`allow null in ${t}.qty`), report.applied.join(', '));
    await ctx.driver.insert(relaxed.schema, [{ id: 'n1', title: 'no qty', qty: null, version: 1 }], {});
    assert.is((await ctx.driver.getByIds(relaxed.schema, ['n1'], {}))[0]!.qty, null);
  });

  s('an enum that gained values widens its CHECK; rows written before still pass', async () => {
    const t = table('items');
    const before = defineRepository('items', { id: f.id(), status: f.enum(['open', 'closed']) }, { table: t });
    const after = defineRepository('items', { id: f.id(), status: f.enum(['open', 'closed', "on 'hold'"]) }, { table: t });
    await ctx.driver.ensureSchema([before.schema], { mode: 'apply' });
    await ctx.driver.insert(before.schema, [{ id: 'e1', status: 'closed' }], {});
    try {
      await ctx.driver.ensureSchema([after.schema], { mode: 'verify' });
      assert.unreachable('verify should report the narrower CHECK');
    } catch (err) {
      assert.instance(err, SchemaDriftError);
      assert.match((err as Error).message, `${t}.status`);
    }
    const report = await ctx.driver.ensureSchema([after.schema], { mode: 'apply' });
    assert.equal(report.applied, [`allow on 'hold' in ${t}.status`]);
    await ctx.driver.insert(after.schema, [{ id: 'e2', status: "on 'hold'" }], {});
    assert.equal((await ctx.driver.getByIds(after.schema, ['e1', 'e2'], {})).map((r) => r.status).sort(), ['closed', "on 'hold'"]);
    assert.equal((await ctx.driver.ensureSchema([after.schema], { mode: 'apply' })).applied, []);
  });

  s('a new unique constraint over duplicated data raises SchemaDriftError and changes nothing', async () => {
    const t = table('items');
    await ctx.driver.ensureSchema([version1(t).schema], { mode: 'apply' });
    await ctx.driver.insert(version1(t).schema, [{ id: 'd1', title: 'same', qty: 1, version: 1 }, { id: 'd2', title: 'same', qty: 2, version: 1 }], {});
    const unique = defineRepository('items', { id: f.id(), title: f.string().unique(), qty: f.integer(), note: f.text().optional(), version: f.version() }, { table: t });
    try {
      await ctx.driver.ensureSchema([unique.schema], { mode: 'apply' });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, SchemaDriftError);
      assert.match((err as Error).message, 'duplicates');
    }
    const cols = await ctx.spy.execute({ sql: 'select column_name from information_schema.columns where table_name = $1 and column_name = $2', parameters: [t, 'note'] });
    assert.is(cols.rows.length, 0, 'the column added in the same run was rolled back too');
  });

  s('a column retyped by hand raises SchemaDriftError naming table.column and both types', async () => {
    const t = table('items');
    await ctx.driver.ensureSchema([version1(t).schema], { mode: 'apply' });
    await ctx.spy.execute({ sql: `alter table ${quoteIdent(t)} alter column qty type text`, parameters: [] });
    for (const mode of ['apply', 'verify'] as const) {
      try {
        await ctx.driver.ensureSchema([version1(t).schema], { mode });
        assert.unreachable('should have thrown');
      } catch (err) {
        assert.instance(err, SchemaDriftError);
        assert.match((err as Error).message, `${t}.qty`);
        assert.match((err as Error).message, 'integer');
        assert.match((err as Error).message, 'text');
      }
    }
  });

  s('a required field cannot be added to a table that has rows: SchemaDriftError, nothing changed', async () => {
    const t = table('items');
    await ctx.driver.ensureSchema([version1(t).schema], { mode: 'apply' });
    await ctx.driver.insert(version1(t).schema, [{ id: 'r1', title: 'x', qty: 1, version: 1 }], {});
    const withRequired = defineRepository('items', { id: f.id(), title: f.string(), qty: f.integer(), sku: f.string(), version: f.version() }, { table: t });
    try {
      await ctx.driver.ensureSchema([withRequired.schema], { mode: 'apply' });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, SchemaDriftError);
      assert.match((err as Error).message, `${t}.sku`);
    }
    const cols = await ctx.spy.execute({ sql: 'select column_name from information_schema.columns where table_name = $1 and column_name = $2', parameters: [t, 'sku'] });
    assert.is(cols.rows.length, 0);
  });

  s('a NOT NULL column the schema no longer declares raises SchemaDriftError instead of failing every insert later', async () => {
    const t = table('items');
    await ctx.driver.ensureSchema([version2(t).schema], { mode: 'apply' });
    await ctx.spy.execute({ sql: `alter table ${quoteIdent(t)} alter column note set not null`, parameters: [] });
    try {
      await ctx.driver.ensureSchema([version1(t).schema], { mode: 'apply' });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, SchemaDriftError);
      assert.match((err as Error).message, `${t}.note`);
    }
  });

  s('verify mode reports a missing table and creates nothing', async () => {
    const t = table('items');
    ctx.spy.statements.length = 0;
    try {
      await ctx.driver.ensureSchema([version1(t).schema], { mode: 'verify' });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, SchemaDriftError);
      assert.match((err as Error).message, `table ${t} is missing`);
    }
    assert.not.ok(ctx.spy.statements.some((st) => /^\s*(create|alter|drop)/i.test(st.sql)), 'no DDL ran');
    assert.is(await exists(t), false);
  });

  s('two ensureSchema calls racing on fresh tables both succeed', async () => {
    const t = table('items');
    const other = new SqlDriver({ name: options.name, executor: await options.createExecutor() });
    try {
      const [a, b] = await Promise.all([
        ctx.driver.ensureSchema([version2(t).schema], { mode: 'apply' }),
        other.ensureSchema([version2(t).schema], { mode: 'apply' }),
      ]);
      assert.is([a, b].filter((r) => r.applied.length > 0).length, 1, JSON.stringify([a.applied, b.applied]));
      assert.is(await exists(t), true);
    } finally {
      await other.close();
    }
  });

  s('a column name that SQL cannot take safely is refused before any statement', async () => {
    const t = table('items');
    const hostile: string = 'title"; drop table x; --'; // typed string: a literal this bad does not compile
    try {
      defineRepository('items', { id: f.id(), title: f.string().column(hostile) }, { table: t });
      assert.unreachable('defineRepository should have refused the column');
    } catch (err) {
      assert.instance(err, ConfigError);
    }
    // A plugin's extendSchema could still produce such a column: the driver checks the storage schema again.
    const good = defineRepository('items', { id: f.id(), title: f.string() }, { table: t });
    const bad = { schema: { ...good.schema, fields: { ...good.schema.fields, title: { ...good.schema.fields.title!, column: hostile } } } };
    ctx.spy.statements.length = 0;
    try {
      await ctx.driver.ensureSchema([bad.schema], { mode: 'apply' });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, ConfigError);
    }
    try {
      await ctx.driver.getByIds(bad.schema, ['x'], {});
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, ConfigError);
    }
    assert.is(ctx.spy.statements.length, 0);
  });

  return s;
}
