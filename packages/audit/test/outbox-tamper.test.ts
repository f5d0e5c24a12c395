import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyAuditTrail, type SealedAuditEvent } from '@chatcore/audit';
import { openDb } from './helpers/fixtures.js';

async function setup() {
  const ctx = await openDb('memory', { sinks: { outbox: true }, checkpoints: { every: 5 } });
  for (let i = 0; i < 10; i++) await ctx.db.users.create({ name: `n${i}`, email: `o${i}@x.io` } as never);
  await ctx.plugin.flush();
  const reader = ctx.plugin.outboxReader();
  const events: SealedAuditEvent[] = [];
  for await (const e of reader) events.push(e);
  const table = (suffix: string) => [...ctx.db.schemas.values()].find((s) => s.ownedBy === 'audit' && s.name.startsWith(suffix))!;
  const linksSchema = table('audit_links');
  const links = await ctx.db.driver.query(linksSchema, { orderBy: [{ field: 'seq', direction: 'asc' }] }, {});
  const bySeq = new Map(links.map((l) => [l.seq as number, l.id as string]));
  return { ...ctx, reader, events, eventsSchema: table('audit_events'), linksSchema, idOf: (seq: number) => bySeq.get(seq)! };
}

test('an untouched outbox verifies, with checkpoints from its table', async () => {
  const s = await setup();
  assert.is(s.events.length, 10);
  const report = await verifyAuditTrail(s.reader, await s.reader.checkpoints());
  assert.ok(report.ok, JSON.stringify(report.problem));
  assert.is(report.streams[0]!.checkpointSeq, 10);
  await s.db.close();
});

test('an outbox row whose event is JSON text that does not parse is malformed, at its seq and naming the row', async () => {
  const s = await setup();
  const id = s.idOf(4);
  const row = (await s.db.driver.getByIds(s.eventsSchema, [id], {}))[0]!;
  for (const garbled of ['{"v":1,', '']) {
    await s.db.driver.update(s.eventsSchema, { ids: [id] }, { set: { event: garbled }, increment: {} }, {});
    const r = await verifyAuditTrail(s.reader, await s.reader.checkpoints());
    assert.equal([r.ok, r.problem?.kind, r.problem?.position, r.problem?.seq, r.problem?.stream], [false, 'malformed', 4, 4, s.events[0]!.stream], JSON.stringify(r.problem));
    assert.ok(r.problem!.message.includes(id), r.problem!.message);
  }
  await s.db.driver.update(s.eventsSchema, { ids: [id] }, { set: { event: row.event }, increment: {} }, {});
  assert.ok((await verifyAuditTrail(s.reader, await s.reader.checkpoints())).ok, 'restored');
  await s.db.close();
});

test('outbox tampering is found: a changed row, a deleted row, and rows cut from the tail', async () => {
  const s = await setup();
  const third = s.events[2]!;
  const row = (await s.db.driver.getByIds(s.eventsSchema, [s.idOf(3)], {}))[0]!;
  await s.db.driver.update(s.eventsSchema, { ids: [row.id as string] }, { set: { event: { ...(row.event as object), actor: 'someone-else' } }, increment: {} }, {});
  let r = await verifyAuditTrail(s.reader, await s.reader.checkpoints());
  assert.equal([r.problem?.kind, r.problem?.position, r.problem?.seq], ['modified', 3, third.seq]);
  await s.db.driver.update(s.eventsSchema, { ids: [row.id as string] }, { set: { event: row.event }, increment: {} }, {});
  assert.ok((await verifyAuditTrail(s.reader, await s.reader.checkpoints())).ok, 'restored');

  await s.db.driver.delete(s.eventsSchema, { ids: [s.idOf(6)] }, {});
  r = await verifyAuditTrail(s.reader, await s.reader.checkpoints());
  assert.equal([r.problem?.kind, r.problem?.expectedSeq], ['deleted', 6]);

  await s.db.driver.delete(s.linksSchema, { ids: [s.idOf(9), s.idOf(10)] }, {});
  await s.db.driver.delete(s.eventsSchema, { ids: [s.idOf(7), s.idOf(8), s.idOf(9), s.idOf(10)] }, {});
  await s.db.driver.delete(s.linksSchema, { ids: [s.idOf(6), s.idOf(7), s.idOf(8)] }, {});
  r = await verifyAuditTrail(s.reader, await s.reader.checkpoints());
  assert.equal([r.problem?.kind, r.problem?.seq, r.problem?.expectedSeq], ['truncated', 5, 10]);
  await s.db.close();
});

test.run();
