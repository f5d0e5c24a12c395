import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ConnectionError, DriverError, IntegrityError, TimeoutError, UniqueViolationError, ValidationError, defineRepository, f } from '@chatcore/core';
import { planOf } from '../src/schema-plan.js';
import { getByIdsStatement, queryStatement, countStatement } from '../src/read-statements.js';
import { insertStatements, updateStatement, upsertStatement } from '../src/write-statements.js';
import { mapSqlError } from '../src/sql-errors.js';

const messages = defineRepository('messages', {
  id: f.id(),
  conversationId: f.string().indexed(),
  body: f.text(),
  score: f.integer().optional(),
  tags: f.array(f.string()).default(() => []),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
}, { table: 'chat_messages', unique: [['conversationId', 'body']] });
const plan = planOf(messages.schema);
const byId = [{ field: 'id', direction: 'asc' }] as const;

test('the same query shape compiles once; values travel only as parameters', () => {
  const q = (v: string) => queryStatement(plan, { where: { kind: 'cmp', field: 'conversationId', op: 'eq', value: v }, orderBy: byId, limit: 20 });
  const a = q('c1');
  const b = q("c2'; drop table chat_messages; --");
  assert.is(a.sql, b.sql);
  assert.is(a.name, b.name);
  assert.ok(a.name);
  assert.not.match(b.sql, 'drop table');
  assert.equal(b.parameters, ["c2'; drop table chat_messages; --", 20]);
  assert.is(plan.shapes.get(`q|c:conversationId:eq|id:a,|L|*`)?.sql, a.sql);
});

const throughLinks = defineRepository('links', { id: f.id(), conversationId: f.string().indexed(), messageId: f.string().indexed() }, { table: 'chat_links' });
const throughQuery = (keys: string[], min: number) => queryStatement(plan, {
  where: { kind: 'cmp', field: 'score', op: 'gte', value: min }, orderBy: [{ field: 'createdAt', direction: 'desc' }, { field: 'id', direction: 'desc' }],
  through: { schema: throughLinks.schema, field: 'conversationId', targetField: 'messageId', keys, limit: 5 },
});

test('a through query reads each parent key\'s first n targets in one lateral statement; values only as parameters', () => {
  const a = throughQuery(['c1', 'c2'], 3);
  const b = throughQuery(['c3', "c4'; drop table chat_links; --"], 4);
  assert.is(a.sql, b.sql, 'one shape for every key list and value');
  assert.not.match(b.sql, 'drop table');
  assert.equal(a.parameters, [['c1', 'c2'], 3, 5]);
  assert.match(a.sql, /cross join lateral/);
  assert.match(a.sql, /"__t"\."id" in \(select "__j"\."message_id" from "chat_links" as __j where "__j"\."conversation_id" = "k"\."__group_key"\)/);
  assert.match(a.sql, /as "__parent"/);
  assert.match(a.sql, /as "__link"/);
});

test('a through query for one parent key binds the key itself, so the database plans for that key', () => {
  const key = "c3'; drop table chat_links; --";
  const a = throughQuery([key], 4);
  const b = throughQuery(['c9'], 1);
  assert.is(a.sql, b.sql, 'one shape for every single key');
  assert.not.match(a.sql, /lateral|unnest/);
  assert.not.match(a.sql, 'drop table');
  assert.match(a.sql, /"__t"\."id" in \(select "__j"\."message_id" from "chat_links" as __j where "__j"\."conversation_id" = \$\d+::text\)/);
  assert.equal(a.parameters, [key, key, key, 4, 5], 'the key (as the parent, in the link lookup and in the semi-join), the filter, the limit');
  assert.not.equal(a.name, throughQuery(['c1', 'c2'], 3).name, 'a statement of its own');
});

test('a per-group limit without an overall limit returns the groups as they come, each in order', () => {
  const perGroup = (limit?: number) => queryStatement(plan, {
    where: { kind: 'in', field: 'conversationId', values: ['c1', 'c2'], negate: false },
    orderBy: [{ field: 'createdAt', direction: 'desc' }, { field: 'id', direction: 'desc' }],
    limitPerGroup: { field: 'conversationId', limit: 20 },
    ...(limit === undefined ? {} : { limit }),
  });
  const grouped = perGroup();
  assert.match(grouped.sql, 'cross join lateral');
  assert.match(grouped.sql, /order by "created_at" desc[^)]*limit \$2\)\) as g\) as "s"$/, 'each group is ordered and limited inside the lateral subquery');
  assert.equal(grouped.parameters, [['c1', 'c2'], 20]);
  const limited = perGroup(30);
  assert.match(limited.sql, /as "s" order by "created_at" desc.* limit \$3$/, 'an overall limit still takes the first rows of all groups');
  assert.equal(limited.parameters, [['c1', 'c2'], 20, 30]);
});

test('columns come from the schema and are returned under field names', () => {
  const st = getByIdsStatement(plan, ['x'], undefined);
  assert.match(st.sql, '"conversation_id" as "conversationId"');
  assert.match(st.sql, 'from "chat_messages"');
  assert.match(st.sql, '"id" = $1');
  const many = getByIdsStatement(plan, ['x', 'y', 'z'], ['id', 'body']);
  assert.match(many.sql, '= any($1::text[])');
  assert.equal(many.parameters, [['x', 'y', 'z']]);
});

test('nullable sort keys get NULLS FIRST ascending and NULLS LAST descending; NOT NULL keys stay plain', () => {
  const asc = queryStatement(plan, { orderBy: [{ field: 'score', direction: 'asc' }, ...byId] });
  assert.match(asc.sql, '"score" asc nulls first, "id" asc');
  const desc = queryStatement(plan, { orderBy: [{ field: 'score', direction: 'desc' }, { field: 'id', direction: 'desc' }] });
  assert.match(desc.sql, '"score" desc nulls last, "id" desc');
});

test('keyset cursors: a row comparison for NOT NULL keys, a null-aware expansion otherwise', () => {
  const rowCmp = queryStatement(plan, {
    orderBy: [{ field: 'createdAt', direction: 'desc' }, { field: 'id', direction: 'desc' }], after: [new Date(5), 'm9'], limit: 10,
  });
  assert.match(rowCmp.sql, '("created_at", "id") < ($1, $2)');
  const nullable = queryStatement(plan, { orderBy: [{ field: 'score', direction: 'desc' }, { field: 'id', direction: 'desc' }], after: [3, 'm9'] });
  assert.match(nullable.sql, '("score" < $1 or "score" is null)');
  assert.match(nullable.sql, '"score" = $2 and "id" < $3');
  assert.equal(nullable.parameters, [3, 3, 'm9']);
  const afterNullAsc = queryStatement(plan, { orderBy: [{ field: 'score', direction: 'asc' }, ...byId], after: [null, 'm9'] });
  assert.match(afterNullAsc.sql, '"score" is not null');
  assert.match(afterNullAsc.sql, '"score" is null and "id" > $1');
  assert.equal(afterNullAsc.parameters, ['m9']);
});

test('startsWith escapes LIKE wildcards; empty in/notIn lists never match null', () => {
  const st = countStatement(plan, { kind: 'startsWith', field: 'body', prefix: '50%_\\', negate: true });
  assert.match(st.sql, 'not ("body" like $1)');
  assert.equal(st.parameters, ['50\\%\\_\\\\%']);
  assert.match(countStatement(plan, { kind: 'in', field: 'body', values: [], negate: false }).sql, 'where false');
  assert.match(countStatement(plan, { kind: 'in', field: 'body', values: [], negate: true }).sql, '"body" is not null');
  assert.match(countStatement(plan, { kind: 'in', field: 'body', values: ['a'], negate: true }).sql, '"body" <> all($1::text[])');
});

test('updates set values and increment with col = col + $n; upserts report whether they inserted', () => {
  const up = updateStatement(plan, { ids: ['m1'], where: { kind: 'cmp', field: 'version', op: 'eq', value: 2 } }, { set: { body: 'b' }, increment: { version: 1 } });
  assert.match(up.sql, '"version" = "version" + $2::integer');
  assert.match(up.sql, 'returning');
  assert.equal(up.parameters, ['b', 1, 'm1', 2]);
  const row = { id: 'm1', conversationId: 'c', body: 'b', score: null, tags: [], createdAt: new Date(0), version: 1 };
  const ups = upsertStatement(plan, row, ['conversationId', 'body'], { set: { score: 1 }, increment: { version: 1 } });
  assert.match(ups.sql, 'on conflict ("conversation_id", "body") do update set');
  assert.match(ups.sql, '"chat_messages"."version" + $');
  assert.match(ups.sql, '(xmax = 0)');
});

test('an increment of a bounded field is range-checked in the statement; other patches compile without a check', () => {
  const counters = defineRepository('counters', {
    id: f.id(), small: f.integer().optional(), wide: f.integer({ max: 10_000_000_000 }).optional(), big: f.bigint().optional(),
    n: f.integer({ min: 0, max: 100 }).optional(), ratio: f.number({ max: 1 }).optional(), version: f.version(),
  }, { table: 'counters' });
  const cp = planOf(counters.schema);
  const plain = updateStatement(cp, { ids: ['c1'] }, { set: { wide: 5, n: 3 }, increment: { small: 1, big: 1n, version: 1 } });
  assert.not.match(plain.sql, 'case');
  assert.match(plain.sql, '"small" = "small" + $3::integer');
  assert.equal(plain.parameters, [5, 3, 1, 1n, 1, 'c1']);
  const guarded = updateStatement(cp, { ids: ['c1'] }, { set: {}, increment: { wide: 7, version: 1 } });
  assert.match(guarded.sql, /"wide" = case when \("wide"::bigint \+ \$1::bigint\) not between -9007199254740991 and 10000000000 then cast\('chatcore-out-of-range:wide:' \|\| \("wide"::bigint \+ \$2::bigint\)::text as bigint\) else \("wide"::bigint \+ \$3::bigint\)::bigint end/);
  assert.equal(guarded.parameters, [7, 7, 7, 1, 'c1']);
  const small = updateStatement(cp, { ids: ['c1'] }, { set: {}, increment: { n: 7, ratio: 0.5 } });
  assert.match(small.sql, '"n" = case when ("n"::bigint + $1::bigint) not between 0 and 100 then');
  // A double is summed as it is within half the largest double, else halved, so the check never overflows.
  assert.match(small.sql, '"ratio" = case when (case when abs("ratio"::float8) <= 8.988465674311579e+307::float8 and abs($4::float8) <= 8.988465674311579e+307::float8 then ("ratio"::float8 + $5::float8) not between -1.7976931348623157e+308::float8 and 1::float8 else (trunc("ratio"::float8) / 2 + trunc($6::float8) / 2) not between -8.988465674311579e+307::float8 and 0.5::float8 end) then');
  assert.match(small.sql, /else \("ratio"::float8 \+ \$\d+::float8\)::double precision end/);
  const row = { id: 'c1', small: null, wide: null, big: null, n: null, ratio: null, version: 1 };
  const ups = upsertStatement(cp, row, ['id'], { set: {}, increment: { wide: 7, version: 1 } });
  assert.match(ups.sql, 'case when ("counters"."wide"::bigint + $');
  const error = (sum: string) => Object.assign(new Error(`invalid input syntax for type bigint: "chatcore-out-of-range:${sum}"`), { code: '22P02' });
  const issues = (e: Error) => (e as ValidationError).issues;
  assert.instance(mapSqlError(error('wide:9007199254740992'), cp), ValidationError);
  assert.equal(issues(mapSqlError(error('wide:-9007199254740992'), cp)), [{ path: 'wide.increment', message: 'the result leaves the range of counters.wide' }]);
  assert.equal(issues(mapSqlError(error('wide:10000000001'), cp)), [{ path: 'wide.increment', message: 'the increment would take counters.wide to 10000000001, above its maximum of 10000000000' }]);
  assert.equal(issues(mapSqlError(error('n:-3'), cp)), [{ path: 'n.increment', message: 'the increment would take counters.n to -3, below its minimum of 0' }]);
  assert.equal(issues(mapSqlError(error('ratio:1.25'), cp)), [{ path: 'ratio.increment', message: 'the increment would take counters.ratio to 1.25, above its maximum of 1' }]);
  assert.equal(issues(mapSqlError(error('ratio:Infinity'), cp)), [{ path: 'ratio.increment', message: 'the increment would take counters.ratio to Infinity, above its maximum of 1' }]);
  assert.equal(issues(mapSqlError(error('ratio:-Infinity'), cp)), [{ path: 'ratio.increment', message: 'the result leaves the range of counters.ratio' }]);
});

test('a stored wide integer past 2^53 - 1 is an IntegrityError naming the field, never a rounded number', () => {
  const counters = defineRepository('counters', { id: f.id(), wide: f.integer({ min: -10_000_000_000 }).optional(), wides: f.array(f.integer({ max: 10_000_000_000 })).optional() }, { table: 'counters' });
  const cp = planOf(counters.schema);
  assert.equal(cp.decodeRows([{ id: 'a', wide: '9007199254740991', wides: ['-9007199254740991', 3] }]), [{ id: 'a', wide: 9007199254740991, wides: [-9007199254740991, 3] }]);
  for (const wide of ['9007199254740992', '-9007199254740993', 2 ** 53, 2n ** 60n]) {
    assert.throws(() => cp.decodeRows([{ id: 'a', wide }]), (e: unknown) => e instanceof IntegrityError && /counters\.wide/.test(e.message), String(wide));
  }
  assert.throws(() => cp.decodeRows([{ id: 'a', wides: [1, '9007199254740993'] }]), (e: unknown) => e instanceof IntegrityError && /counters\.wides/.test(e.message));
});

test('batch inserts with array columns are chunked under the parameter limit', () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: `m${i}`, conversationId: 'c', body: 'b', score: null, tags: ['t'], createdAt: new Date(0), version: 1 }));
  const statements = insertStatements(plan, rows);
  assert.is(statements.length, 3);
  for (const st of statements) assert.ok(st.parameters.length <= 65_535);
  assert.is(statements.reduce((n, st) => n + st.parameters.length, 0), 20_000 * 7);
  const tight = insertStatements(plan, rows, { maxParameters: 32_767, maxBytes: Infinity });
  assert.is(tight.length, 5);
  for (const st of tight) assert.ok(st.parameters.length <= 32_767, `${st.parameters.length} parameters`);
  assert.equal(tight.flatMap((st) => st.parameters.filter((_, i) => i % 7 === 0)), rows.map((r) => r.id));
});

test('batch inserts are split by bytes of values too, unnest included; a row over the budget goes alone', () => {
  const notes = defineRepository('notes', { id: f.id(), body: f.text(), version: f.version() }, { table: 'notes' });
  const notesPlan = planOf(notes.schema);
  const body = 'x'.repeat(1000);
  const rows = Array.from({ length: 100 }, (_, i) => ({ id: `n${i}`, body: i === 50 ? 'y'.repeat(50_000) : body, version: 1 }));
  const statements = insertStatements(notesPlan, rows, { maxParameters: 65_535, maxBytes: 10_000 });
  assert.ok(statements.length > 10, `${statements.length} statements`);
  assert.ok(statements.every((st) => st.sql === statements[0]!.sql), 'every chunk shares the unnest shape');
  const ids = statements.flatMap((st) => st.parameters[0] as string[]);
  assert.equal(ids, rows.map((r) => r.id));
  const alone = statements.find((st) => (st.parameters[0] as string[]).includes('n50'))!;
  assert.equal(alone.parameters[0], ['n50']);
  assert.is(insertStatements(notesPlan, rows).length, 1);
});

test('a table or column name SQL cannot take safely is a ConfigError', () => {
  const spaced: string = 'x y'; // typed string: the literal does not compile
  assert.throws(() => defineRepository('bad', { id: f.id(), x: f.string().column(spaced) }), (e: unknown) => e instanceof ConfigError);
  // A plugin's extendSchema could still produce such a column: the plan checks the storage schema again.
  const good = defineRepository('bad', { id: f.id(), x: f.string() }, { table: 'ok_table' });
  const bad = { ...good.schema, fields: { ...good.schema.fields, x: { ...good.schema.fields.x!, column: spaced } } };
  assert.throws(() => planOf(bad), (e: unknown) => e instanceof ConfigError && /"x y" cannot be used in SQL/.test((e as Error).message));
  const twice = defineRepository('twice', { id: f.id(), fooBar: f.string(), foo_bar: f.string() });
  assert.throws(() => planOf(twice.schema), (e: unknown) => e instanceof ConfigError && /foo_bar/.test((e as Error).message));
  const badTable = { ...good.schema, table: 'users; drop table users' };
  assert.throws(() => planOf(badTable), (e: unknown) => e instanceof ConfigError);
});

test('database errors map to typed errors without quoting values', () => {
  const unique = mapSqlError(Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'chat_messages_conversation_id_body_key', detail: 'Key (body)=(secret) already exists.' }), plan);
  assert.instance(unique, UniqueViolationError);
  assert.equal((unique as UniqueViolationError).info.fields, ['conversationId', 'body']);
  assert.not.match(JSON.stringify((unique as Error).cause, Object.getOwnPropertyNames((unique as Error).cause)), 'secret');
  const byHand = mapSqlError(Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'made_by_hand', detail: 'Key (conversation_id, body)=(c, secret) already exists.' }), plan);
  assert.equal((byHand as UniqueViolationError).info.fields, ['conversationId', 'body']);
  assert.not.match(byHand.message, 'secret');
  assert.instance(mapSqlError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })), TimeoutError);
  assert.instance(mapSqlError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), ConnectionError);
  const data = mapSqlError(Object.assign(new Error('invalid input syntax for type integer: "my-secret"'), { code: '22P02' }));
  assert.instance(data, DriverError);
  assert.not.match(data.message, 'my-secret');
});

test.run();
