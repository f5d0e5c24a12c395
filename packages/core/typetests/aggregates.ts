// Aggregates: which fields each measure takes, and the result's type.
// Each @ts-expect-error line has a twin right below it that compiles.
import type { AggregateOrderItem } from '@chatcore/core';
import { db } from './schema.js';

export async function aggregates(): Promise<void> {
  // @ts-expect-error sum over a string field
  await db.users.aggregate({ sum: ['name'] });
  await db.users.aggregate({ sum: ['age'] });
  // @ts-expect-error avg over an encrypted field (only count works on encrypted fields)
  await db.messages.aggregate({ avg: ['body'] });
  await db.messages.aggregate({ count: ['body'] });
  // @ts-expect-error min over an encrypted (searchable) field
  await db.users.aggregate({ min: ['email'] });
  await db.users.aggregate({ count: ['_all', 'email'] });
  // @ts-expect-error groupBy an encrypted field
  await db.users.aggregate({ groupBy: ['email'], count: ['_all'] });
  await db.users.aggregate({ groupBy: ['role'], count: ['_all'] });
  // @ts-expect-error groupBy an array field (groups are sorted; arrays have no order)
  await db.messages.aggregate({ groupBy: ['tags'], count: ['_all'] });
  await db.messages.aggregate({ groupBy: ['role'], count: ['_all'] });
  // @ts-expect-error a secret field cannot even be counted
  await db.users.aggregate({ count: ['password'] });
  await db.users.aggregate({ count: ['ssn'] });
  // @ts-expect-error order by a measure the aggregate does not compute
  await db.messages.aggregate({ groupBy: ['role'], count: ['_all'], orderBy: { sum: { tokens: 'desc' } } });
  await db.messages.aggregate({ groupBy: ['role'], sum: ['tokens'], orderBy: { sum: { tokens: 'desc' } } });
  // @ts-expect-error an aggregate that asks for nothing
  await db.messages.aggregate({});
  await db.messages.aggregate({ groupBy: ['role'] });
  // @ts-expect-error an aggregate that asks for nothing but filters
  await db.messages.aggregate({ where: { role: 'user' } });
  await db.messages.aggregate({ where: { role: 'user' }, count: ['_all'] });
  // @ts-expect-error limit cuts groups: it needs groupBy
  await db.messages.aggregate({ count: ['_all'], limit: 10 });
  await db.messages.aggregate({ groupBy: ['conversationId'], count: ['_all'], limit: 10 });
  // @ts-expect-error an empty measure list next to another measure (a ValidationError)
  await db.messages.aggregate({ count: ['_all'], sum: [] });
  await db.messages.aggregate({ count: ['_all'], sum: ['tokens'] });
  // @ts-expect-error an empty groupBy: leave it out for one result over every record
  await db.messages.aggregate({ groupBy: [], count: ['_all'] });
  await db.messages.aggregate({ count: ['_all'] });
  // @ts-expect-error orderBy sorts groups: it needs groupBy
  await db.messages.aggregate({ sum: ['tokens'], orderBy: { sum: { tokens: 'desc' } } });
  await db.messages.aggregate({ groupBy: ['role'], sum: ['tokens'], orderBy: [{ sum: { tokens: 'desc' } }, { role: 'asc' }], limit: 2 });
  // @ts-expect-error a list item holds one key: two would sort in key order, which a list is there to avoid
  await db.messages.aggregate({ groupBy: ['role', 'conversationId'], count: ['_all'], orderBy: [{ role: 'asc', conversationId: 'desc' }] });
  await db.messages.aggregate({ groupBy: ['role', 'conversationId'], count: ['_all'], orderBy: { role: 'asc', conversationId: 'desc' } });
  // @ts-expect-error a measure and a group field in one item, after a first item
  await db.messages.aggregate({ groupBy: ['role'], count: ['_all'], sum: ['tokens'], orderBy: [{ count: { _all: 'desc' } }, { sum: { tokens: 'desc' }, role: 'asc' }] });
  await db.messages.aggregate({ groupBy: ['role'], count: ['_all'], sum: ['tokens'], orderBy: [{ count: { _all: 'desc' } }, { sum: { tokens: 'desc' } }, { role: 'asc' }] });
  // @ts-expect-error two fields of one measure in one item
  await db.messages.aggregate({ groupBy: ['role'], sum: ['tokens', 'cost'], orderBy: [{ sum: { tokens: 'desc', cost: 'asc' } }] });
  await db.messages.aggregate({ groupBy: ['role'], sum: ['tokens', 'cost'], orderBy: [{ sum: { tokens: 'desc' } }, { sum: { cost: 'asc' } }] });
  // @ts-expect-error two measures in one item
  await db.messages.aggregate({ groupBy: ['role'], count: ['_all'], max: ['createdAt'], orderBy: [{ count: { _all: 'desc' }, max: { createdAt: 'asc' } }] });
  await db.messages.aggregate({ groupBy: ['role'], count: ['_all'], max: ['createdAt'], orderBy: { count: { _all: 'desc' }, max: { createdAt: 'asc' } } });
  // @ts-expect-error one key per item, however it is typed
  const twoKeys: AggregateOrderItem<'role', '_all'> = { role: 'asc', count: { _all: 'desc' } };
  const oneKey: AggregateOrderItem<'role', '_all'> = { count: { _all: 'desc' } };
  void [twoKeys, oneKey];

  const [row] = await db.messages.aggregate({ groupBy: ['role'], count: ['_all'], sum: ['tokens', 'sequence'], max: ['createdAt'] });
  if (!row) return;
  const role: 'user' | 'assistant' | 'system' = row.group.role;
  const n: number = row.count._all;
  const total: number | null = row.sum.tokens;
  const big: bigint | null = row.sum.sequence;
  const last: Date | null = row.max.createdAt;
  // @ts-expect-error the sum of a bigint field is a bigint, not a number
  const wrong: number | null = row.sum.sequence;
  const right: bigint | null = row.sum.sequence;
  // @ts-expect-error a measure that was not asked for
  void row.avg.tokens;
  void row.sum.tokens;
  void [role, n, total, big, last, wrong, right];
}
