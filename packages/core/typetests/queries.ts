// Queries declared apart from the call: their declared type decides the
// result type, as an inline query's literal does.
// Each @ts-expect-error line has a twin right below it that compiles.
import type { FindQuery, FindResult, RecordOf } from '@chatcore/core';
import { db, users, conversations } from './schema.js';

export async function queries(): Promise<void> {
  // --- a query typed FindQuery<D> has no select, so its rows are whole records
  const recent: FindQuery<typeof conversations> = { where: { archived: false }, orderBy: { createdAt: 'desc' }, limit: 20 };
  const rows = await db.conversations.find(recent);
  rows[0]?.messageCount.toFixed();
  // @ts-expect-error select needs the selected fields in the type: FindQuery<typeof users, 'name'>
  const slim: FindQuery<typeof users> = { select: ['name'] };
  const named: FindQuery<typeof users, 'name'> = { select: ['name'] };
  void slim;

  // --- a query typed with its selection narrows the result like the inline form
  const picked = await db.users.find(named);
  // @ts-expect-error age was not selected: the row has id and name only
  picked[0]?.age;
  picked[0]?.name.toUpperCase();
  const first = await db.users.findOne(named);
  // @ts-expect-error findOne narrows too
  first?.role;
  first?.id.toUpperCase();
  const page = await db.users.findPage(named);
  // @ts-expect-error findPage narrows too
  page.items[0]?.active;
  page.items[0]?.name.toUpperCase();
  for await (const u of db.users.iterate(named)) {
    // @ts-expect-error iterate narrows too
    u.createdAt;
    u.name.toUpperCase();
  }

  // --- FindResult names the row type of a query
  const whole: FindResult<typeof users> = (await db.users.find({}))[0]!;
  // @ts-expect-error a projection is not a whole record
  const notWhole: RecordOf<typeof users> = picked[0]!;
  const slimRow: FindResult<typeof users, 'name'> = picked[0]!;
  void [whole, notWhole, slimRow];

  // --- inline queries keep working as before
  const inline = await db.users.find({ select: ['name', 'age'] });
  // @ts-expect-error role was not selected inline
  inline[0]?.role;
  inline[0]?.age;
  const all = await db.users.find({ where: { name: 'Ada' } });
  all[0]?.role.toUpperCase();

  // --- select lists at least one field (an empty list is a ValidationError)
  // @ts-expect-error select: [] selects nothing
  await db.users.find({ select: [] });
  await db.users.find({ select: ['name'] });
  // @ts-expect-error a declared query cannot select nothing either
  const selectsNothing: FindQuery<typeof users, 'name'> = { select: [] };
  const selectsName: FindQuery<typeof users, 'name'> = { select: ['name'] };
  void [selectsNothing, selectsName];

  // --- distinct pages with limit and offset, never with a cursor
  // @ts-expect-error distinct with a cursor (after) is a ValidationError
  await db.conversations.find({ distinct: ['userId'], after: 'cursor' });
  await db.conversations.find({ distinct: ['userId'], offset: 20, limit: 20 });
  // @ts-expect-error findOne refuses the pair too
  await db.conversations.findOne({ distinct: ['userId'], after: 'cursor' });
  await db.conversations.findOne({ distinct: ['userId'], after: null });
  // @ts-expect-error a declared query cannot hold both
  const both: FindQuery<typeof conversations> = { distinct: ['userId'], after: 'cursor' };
  const paged: FindQuery<typeof conversations> = { after: 'cursor', limit: 20 };
  void both;
  await db.conversations.find(paged);
  // @ts-expect-error distinct: [] keeps no record apart (a ValidationError)
  await db.conversations.find({ distinct: [], limit: 20 });
  await db.conversations.find({ distinct: ['userId', 'archived'], limit: 20 });
  // @ts-expect-error in findOne too
  await db.conversations.findOne({ distinct: [] });
  await db.conversations.findOne({ distinct: ['userId'] });
  // @ts-expect-error in a declared query too
  const none: FindQuery<typeof conversations> = { distinct: [] };
  const one: FindQuery<typeof conversations> = { distinct: ['userId'] as const };
  void [none, one];

  // --- limit, offset and pageSize literals out of the run time's ranges
  // @ts-expect-error a negative limit
  await db.users.find({ limit: -1 });
  await db.users.find({ limit: 1 });
  // @ts-expect-error a fractional limit
  await db.users.find({ limit: 1.5 });
  await db.users.find({ limit: 10_000 });
  // @ts-expect-error limit 0 (a limit is 1..10,000)
  await db.users.findPage({ limit: 0 });
  await db.users.findPage({ limit: 50, after: null });
  // @ts-expect-error a limit above 10,000
  await db.users.findPage({ limit: 10_001 });
  await db.users.findPage({ limit: 9_999 });
  // @ts-expect-error a negative offset
  await db.users.find({ offset: -20, limit: 20 });
  await db.users.find({ offset: 1_000_000, limit: 20 });
  // @ts-expect-error a fractional offset in findOne
  await db.users.findOne({ offset: 0.5 });
  await db.users.findOne({ offset: 0 });
  // @ts-expect-error a negative aggregate limit
  await db.users.aggregate({ groupBy: ['role'], count: ['_all'], limit: -1 });
  await db.users.aggregate({ groupBy: ['role'], count: ['_all'], limit: 10 });
  // @ts-expect-error a negative page size for iterate
  for await (const u of db.users.iterate({}, { pageSize: -1 })) void u;
  for await (const u of db.users.iterate({}, { pageSize: 1_000 })) void u;
  // @ts-expect-error a fractional page size
  for await (const u of db.users.iterate({ select: ['name'] }, { pageSize: 2.5 })) void u;
  for await (const u of db.users.iterate({ select: ['name'] }, { pageSize: 250 })) void u.name;
  const computed = Number('-1');
  await db.users.find({ limit: computed, offset: computed });
}
