import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import type { Plugin } from '@chatcore/core/plugin';

// Options built in a variable (or in JavaScript) escape tsc's excess-property check. An option a method does not
// take used to be ignored: a misspelt expectedVersion dropped optimistic locking, get(id, { select }) returned the
// whole record. Each is now a ValidationError naming it, before anything runs.

const items = defineRepository('items', { id: f.id(), name: f.string(), version: f.version() });

async function open(plugins: Plugin[] = []) {
  const db = createDatabase({ driver: memoryDriver(), repositories: { items }, plugins });
  await db.connect();
  return db;
}

async function refusal(call: () => Promise<unknown>): Promise<ValidationError> {
  const err = await call().then(() => undefined, (e: unknown) => e);
  assert.instance(err, ValidationError);
  return err as ValidationError;
}

test('a misspelt expectedVersion is refused and nothing is written (it used to update without the version check)', async () => {
  const db = await open();
  const row = await db.items.create({ name: 'a' });
  const typo: object = { expectedversion: 7 };
  const err = await refusal(() => db.items.update(row.id, { name: 'b' }, typo as never));
  assert.is(err.issues[0]!.path, 'options.expectedversion');
  assert.match(err.message, /update\(\) takes no option "expectedversion"; its options are .*expectedVersion/);
  assert.equal(await db.items.get(row.id), { ...row });
  await refusal(() => db.items.delete(row.id, typo as never));
  assert.ok(await db.items.get(row.id), 'still there');
  await db.close();
});

test('options of another method are refused by name on reads, with the options the method takes', async () => {
  const db = await open();
  const row = await db.items.create({ name: 'a' });
  const err = await refusal(() => db.items.get(row.id, { select: ['name'] } as never));
  assert.match(err.message, /get\(\) takes no option "select"; its options are signal, timeout, cache, traceId, actor, tenant, include/);
  assert.match((await refusal(() => db.items.find({}, { limit: 1 } as never))).message, /find\(\) takes no option "limit"/);
  assert.match((await refusal(() => db.items.count({}, { where: {} } as never))).message, /count\(\) takes no option "where"/);
  const iterate = async () => { for await (const _ of db.items.iterate({}, { pagesize: 1 } as never)) void _; };
  assert.match((await refusal(iterate)).message, /iterate\(\) takes no option "pagesize"; .*pageSize/);
  await db.close();
});

test('the refusal of an option says to fix the options, not the input, against the repository schema', async () => {
  const db = await open();
  const row = await db.items.create({ name: 'a' });
  const err = await refusal(() => db.items.update(row.id, { name: 'b' }, { reasn: 'x' } as never));
  assert.match(err.message, /^Invalid options: options\.reasn: update\(\) takes no option "reasn"; .* Fix the options; nothing was written\.$/);
  const input = await refusal(() => db.items.create({ name: 1 } as never));
  assert.match(input.message, /Fix the input to match the repository schema; nothing was written\.$/);
  await db.close();
});

test('a read refused for its options, id or timeout says nothing of writes; a write refused for them still does', async () => {
  const db = await open();
  const row = await db.items.create({ name: 'a' });
  const messages = async (calls: Array<() => Promise<unknown>>) => Promise.all(calls.map(async (call) => (await refusal(call)).message));
  const reads = await messages([
    () => db.items.get(row.id, { reasn: 'x' } as never),
    () => db.items.find({}, { reasn: 'x' } as never),
    () => db.items.get(7 as never),
    () => db.items.getMany([7 as never]),
    () => db.items.get(row.id, { timeout: 'soon' }),
    () => db.items.count({}, { timeout: 'soon' }),
  ]);
  assert.equal(reads.map((m) => m.replace(/^(Invalid \w+): .*\. (Fix .*)$/, '$1 / $2')), [
    'Invalid options / Fix the options.',
    'Invalid options / Fix the options.',
    'Invalid id / Fix the id to match the repository schema.',
    'Invalid id / Fix the id to match the repository schema.',
    'Invalid duration / Fix the duration.',
    'Invalid duration / Fix the duration.',
  ]);
  const writes = await messages([
    () => db.items.delete(row.id, { reasn: 'x' } as never),
    () => db.items.delete(7 as never),
    () => db.items.update(row.id, { name: 'b' }, { timeout: 'soon' }),
  ]);
  for (const m of writes) assert.match(m, /; nothing was written\.$/);
  assert.equal(await db.items.get(row.id), { ...row });
  await db.close();
});

test('every option a method declares is still taken', async () => {
  const db = await open();
  const base = { timeout: 5000, signal: new AbortController().signal, cache: false as const, actor: 'user:1', tenant: 't1', traceId: 'trace-1' };
  const row = await db.items.create({ name: 'a' }, base);
  await db.items.createMany([{ name: 'b' }], base);
  assert.ok(await db.items.get(row.id, base));
  assert.is((await db.items.getMany([row.id], base)).length, 1);
  assert.is((await db.items.find({}, base)).length, 2);
  assert.ok(await db.items.findOne({}, base));
  assert.is((await db.items.findPage({ limit: 1 }, base)).items.length, 1);
  assert.is(await db.items.count({}, base), 2);
  assert.is(await db.items.exists({}, base), true);
  let seen = 0;
  for await (const _ of db.items.iterate({}, { ...base, pageSize: 1 })) seen++;
  assert.is(seen, 2);
  const updated = await db.items.update(row.id, { name: 'c' }, { ...base, expectedVersion: 1 });
  assert.is(updated.version, 2);
  assert.is(await db.items.updateMany({ name: 'b' }, { name: 'd' }, base), 1);
  await db.items.upsert({ id: row.id, name: 'e' }, { ...base, conflict: ['id'], update: { name: 'f' } });
  assert.is((await db.items.get(row.id))!.name, 'f');
  assert.is(await db.items.delete(row.id, { ...base, expectedVersion: 3 }), true);
  assert.is(await db.items.deleteMany({}, base), 1);
  await db.close();
});

test('plugins with onInvalidInput are told about a refused option; no other hook runs', async () => {
  const seen: string[] = [];
  const spy: Plugin = {
    name: 'spy',
    onInvalidInput: ({ method, error }) => { seen.push(`${method}:${(error as ValidationError).issues[0]!.path}`); },
    around: (op, _ctx, next) => { seen.push(`around:${op.kind}`); return next(op); },
  };
  const db = await open([spy]);
  const row = await db.items.create({ name: 'a' });
  seen.length = 0;
  await refusal(() => db.items.update(row.id, { name: 'b' }, { expectedversion: 1 } as never));
  assert.equal(seen, ['update:options.expectedversion']);
  await db.close();
});

test('a key a plugin declares in callOptions is taken by every method and reaches ctx.options', async () => {
  const reasons: unknown[] = [];
  const reasons_: Plugin = { name: 'reasons', callOptions: ['reason'], around: (op, ctx, next) => { reasons.push(ctx.options.reason); return next(op); } };
  const db = await open([reasons_]);
  const row = await db.items.create({ name: 'a' }, { reason: 'signup' } as never);
  assert.ok(await db.items.get(row.id, { reason: 'support' } as never));
  assert.is(await db.items.delete(row.id, { reason: 'gdpr', expectedVersion: 1 } as never), true);
  assert.equal(reasons, ['signup', 'support', 'gdpr']);
  assert.match((await refusal(() => db.items.count({}, { reasons: 'typo' } as never))).message, /count\(\) takes no option "reasons"; .*reason/);
  await db.close();
});

test.run();
