import * as assert from 'uvu/assert';
import { ConfigError } from '../errors.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import { checkIdentifier } from '../schema/identifiers.js';
import { toSnakeCase } from '../util/naming.js';
import type { Harness } from './harness.js';
import { rejectsWith } from './harness.js';

/**
 * Column names: a `column()` override stores, reads and keys a composite
 * unique constraint on every backend, and a name some backend cannot take
 * is refused where the repository is defined, with one message everywhere.
 *
 * @example
 * ```ts
 * registerColumnNameTests(harness);
 * ```
 */
export function registerColumnNameTests(h: Harness): void {
  const notes = defineRepository('notes', { id: f.id(), tenant: f.string(), title: f.string().column('note_title') }, { table: h.table('columns'), unique: [['tenant', 'title']] });
  h.group('column names', { notes }, (test) => {
    test('a column() override stores, reads and keys a composite unique constraint', async ({ db }) => {
      const a = await db.notes.create({ tenant: 't1', title: 'hello' });
      assert.equal((await db.notes.find({ where: { title: 'hello' } })).map((r) => r.id), [a.id]);
      await rejectsWith(() => db.notes.create({ tenant: 't1', title: 'hello' }), 'UNIQUE_VIOLATION', 'same tenant and title');
      await db.notes.create({ tenant: 't2', title: 'hello' });
      assert.is(await db.notes.count({ title: 'hello' }), 2);
    });

    test('a column name no backend can take is refused by defineRepository, with the SQL drivers\' message', async () => {
      const camel = `${'aB'.repeat(31)}a`; // a valid field name (63 characters) whose snake_case column is 94
      const cases: [string, Record<string, unknown>][] = [
        ['note-title', { title: f.string().column('note-title' as string) }],
        ['title"; drop table x; --', { title: f.string().column('title"; drop table x; --' as string) }],
        ['2fa', { title: f.string().column('2fa' as string) }],
        [`c${'x'.repeat(63)}`, { title: f.string().column(`c${'x'.repeat(63)}` as string) }],
        [toSnakeCase(camel), { [camel]: f.string() }],
      ];
      for (const [column, fields] of cases) {
        const field = Object.keys(fields)[0]!;
        let expected = '';
        try {
          checkIdentifier(column, `column of notes.${field}`);
        } catch (error) {
          expected = (error as Error).message;
        }
        assert.ok(expected, `${column} is refused by checkIdentifier`);
        try {
          defineRepository('notes', { id: f.id(), ...fields } as never);
          assert.unreachable(`column ${column} was accepted`);
        } catch (error) {
          assert.instance(error, ConfigError);
          assert.is((error as Error).message, expected);
        }
      }
    });
  });
}
