import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase } from '@chatcore/core';
import { memoryDriver, type Driver, type RepositorySchema } from '@chatcore/core/driver';
import type { StoredRow } from '@chatcore/core/plugin';
import { audit, verifyAuditTrail, type AuditPlugin } from '@chatcore/audit';
import { outboxTables, repositories } from './helpers/fixtures.js';

// A process that connects and only reads (a health check, a read-only command) writes nothing to the
// outbox tables, at connect or at close; the chain head is made by the first chaining instead.

const tag = 'idle';
const repos = repositories(tag);
const store = memoryDriver();
await store.connect();

/** The shared store, kept open across the databases below (each one closes its driver). */
const kept: Driver = new Proxy(store, {
  get(target, key) {
    if (key === 'close') return async () => undefined;
    const value: unknown = Reflect.get(target, key, target);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});

async function open() {
  const plugin = audit({ sinks: { outbox: outboxTables(tag) }, checkpoints: { every: 1000 } }) as AuditPlugin;
  const db = createDatabase({ driver: kept, repositories: repos, plugins: [plugin], allowPlaintextSensitive: true });
  await db.connect();
  return { db, plugin };
}

/** Every row of the four outbox tables, by table. */
async function snapshot(schemas: ReadonlyMap<string, RepositorySchema>): Promise<Record<string, StoredRow[]>> {
  const out: Record<string, StoredRow[]> = {};
  for (const s of schemas.values()) {
    if (s.ownedBy === 'audit') out[s.table] = await store.query(s, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  }
  return out;
}

test('connect, reads and close on a database never written: no outbox row, no chain head; the empty trail verifies', async () => {
  const first = await open();
  await first.db.close();
  const { db, plugin } = await open();
  assert.is(await db.users.count(), 0);
  await db.users.find({ limit: 5 });
  const reader = plugin.outboxReader();
  const report = await verifyAuditTrail(reader, await reader.checkpoints());
  assert.ok(report.ok, JSON.stringify(report.problem));
  assert.is(report.events, 0);
  await db.close();
  const tables = await snapshot(db.schemas);
  assert.equal(Object.keys(tables).sort(), ['audit_chain_idle', 'audit_checkpoints_idle', 'audit_events_idle', 'audit_links_idle']);
  for (const [table, rows] of Object.entries(tables)) assert.is(rows.length, 0, `${table}: ${JSON.stringify(rows)}`);
});

test('the first writes make the head; the chain verifies from seq 1; a later read-only process changes no row', async () => {
  const writer = await open();
  for (let i = 0; i < 3; i++) await writer.db.users.create({ name: `n${i}`, email: `u${i}@x.io` } as never);
  await writer.db.close();
  const before = await snapshot(writer.db.schemas);
  assert.is(before.audit_chain_idle!.length, 1);
  assert.is(before.audit_chain_idle![0]!.seq, 3);
  assert.is(before.audit_links_idle!.length, 3);

  const { db, plugin } = await open();
  await db.users.find({ limit: 10 });
  const reader = plugin.outboxReader();
  const report = await verifyAuditTrail(reader, await reader.checkpoints());
  assert.ok(report.ok, JSON.stringify(report.problem));
  assert.is(report.events, 3);
  assert.equal(report.streams.map((s) => [s.lastSeq, s.checkpointSeq]), [[3, 3]]);
  await db.close();
  assert.equal(await snapshot(db.schemas), before, 'the read-only process wrote nothing');
});

test.after(() => store.close());
test.run();
