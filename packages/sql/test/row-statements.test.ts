import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { ValidationError, defineRepository, f } from '@chatcore/core';
import { planOf } from '../src/schema-plan.js';
import { rowStatement, storedRows } from '../src/row-statements.js';

// What query() accepts, checked on the compiled syntax tree before anything is sent.
const messages = defineRepository('messages', { id: f.id(), body: f.text(), size: f.bigint().optional(), createdAt: f.timestamp().createdAt() }, { table: 'chat_messages' });
const plan = planOf(messages.schema);
// A Kysely that compiles and never runs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const k = new Kysely<any>({
  dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() },
});

function refused(build: { compile(): { sql: string; parameters: readonly unknown[] } }, match: RegExp): void {
  try {
    rowStatement(plan, build.compile());
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, match);
    return;
  }
  assert.unreachable('expected a ValidationError');
}

test('a select of the table, aliased or not, with filters, order and subqueries, runs read-only as compiled; one that locks rows does not', () => {
  const q = k.selectFrom('chat_messages as m').selectAll().where('m.body', 'in', k.selectFrom('other').select('body')).orderBy('m.id').limit(5).compile();
  const st = rowStatement(plan, q);
  assert.equal([st.sql, st.parameters, st.readOnly], [q.sql, q.parameters, true]);
  const locking = k.selectFrom('chat_messages').selectAll().where('id', '=', 'm1').forUpdate().compile();
  assert.equal([rowStatement(plan, locking).sql, rowStatement(plan, locking).readOnly], [locking.sql, false]);
});

test('another table, a subquery as the table, raw SQL, a write, a data-modifying CTE and a union are refused', () => {
  refused(k.selectFrom('other').selectAll(), /select from the table chat_messages of messages/);
  refused(k.selectFrom('other.chat_messages').selectAll(), /select from the table chat_messages/);
  refused(k.selectFrom((eb) => eb.selectFrom('chat_messages').selectAll().as('m')).selectAll(), /select from the table/);
  refused(k.selectFrom(['chat_messages', 'other']).selectAll(), /alone/);
  refused({ compile: () => sql`select * from chat_messages`.compile(k) }, /expected a Kysely select query/);
  refused(k.deleteFrom('chat_messages').returningAll(), /expected a Kysely select query/);
  refused(k.with('gone', (w) => w.deleteFrom('chat_messages').returningAll()).selectFrom('chat_messages').selectAll(), /writes/);
  refused(k.selectFrom('chat_messages').selectAll().union(k.selectFrom('chat_messages').selectAll()), /combines/);
});

test('with a join, only the table\'s own columns may be selected', () => {
  const ok = k.selectFrom('chat_messages').innerJoin('other', 'other.id', 'chat_messages.id').selectAll('chat_messages').compile();
  assert.ok(rowStatement(plan, ok).readOnly);
  refused(k.selectFrom('chat_messages').innerJoin('other', 'other.id', 'chat_messages.id').selectAll(), /select only chat_messages's columns/);
  refused(k.selectFrom('chat_messages').innerJoin('other', 'other.id', 'chat_messages.id').select(['chat_messages.id', 'other.body']), /select only/);
});

test('a tree too deep to check is refused rather than trusted', () => {
  let inner = k.selectFrom('chat_messages').select('id');
  for (let i = 0; i < 120; i++) inner = k.selectFrom('chat_messages').select('id').where('id', 'in', inner);
  refused(k.selectFrom('chat_messages').selectAll().where('id', 'in', inner), /writes/);
});

test('rows become stored rows by field name, decoded; a missing column is a ValidationError naming it', () => {
  const at = '2026-01-02T03:04:05.000Z';
  const [row] = storedRows(plan, [{ id: 'm1', body: 'b', size: '12', created_at: new Date(at), extra: 1 }]);
  assert.equal(row, { id: 'm1', body: 'b', size: 12n, createdAt: new Date(at) });
  try {
    storedRows(plan, [{ id: 'm1', body: 'b' }]);
    assert.unreachable('expected a ValidationError');
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, /lack column\(s\) size, created_at of chat_messages/);
  }
});

test.run();
