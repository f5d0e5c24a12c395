import * as assert from 'uvu/assert';
import { createDatabase, type Driver } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { migrate } from '../../src/index.js';
import { counters, evolve, KEY, salt, ticketsV1, ticketsV2, v1Row } from './tickets.js';

/** Figures of one acceptance run. */
export interface AcceptanceFigures {
  rows: number;
  seedMs: number;
  migrateMs: number;
  increments: number;
  writerErrors: number;
}

/** What the database under test stores, checked after the migration. */
export interface StoredShape {
  /** Every stored record of the tickets (and their companions), as text. */
  dump(driver: Driver): Promise<string[]>;
  /** Stored field names of tickets after the migration, sorted. */
  readonly fields: readonly string[];
  /** The stored type `describe` reports for the integer `priority`. */
  readonly integerType: string;
}

/**
 * Seed `rows` V1 tickets, start writers that increment per-row counters,
 * apply the V1 → V2 migration, stop the writers, and check every row, the
 * blind index, the counters, a raw dump and `schemaMode: 'verify'`.
 */
export async function runAcceptance(options: { driver: () => Driver; writerDriver: () => Driver; stored: StoredShape; rows: number; batchSize: number; writers?: number; concurrency?: number }): Promise<AcceptanceFigures> {
  const s = salt();
  // Row authenticators off here; renames under required row authenticators: row-auth-rename.ts.
const keys = () => [encryption({ keys: [{ id: 'k1', key: KEY }], rowAuthentication: 'off' })];
  const db1 = createDatabase({ driver: options.driver(), repositories: { tickets: ticketsV1 }, plugins: keys() });
  await db1.connect();
  const index = new Map<string, number>();
  const ids: string[] = [];
  const seedStart = performance.now();
  for (let at = 0; at < options.rows; at += 1000) {
    const chunk = Array.from({ length: Math.min(1000, options.rows - at) }, (_, k) => v1Row(at + k, s));
    const created = await db1.tickets.createMany(chunk);
    created.forEach((c, k) => { index.set(c.id, at + k); ids.push(c.id); });
  }
  const seedMs = performance.now() - seedStart;
  await db1.close();

  const wdb = createDatabase({ driver: options.writerDriver(), repositories: { tickets: counters }, schemaMode: 'off' });
  await wdb.connect();
  const acked = new Map<string, number>();
  let stop = false;
  let writerErrors = 0;
  let lastError: unknown;
  const writer = async () => {
    while (!stop) {
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      try {
        await wdb.tickets.update(id, { counter: { increment: 1 } });
        acked.set(id, (acked.get(id) ?? 0) + 1);
      } catch (err) {
        writerErrors++;
        lastError = err;
      }
      await new Promise((r) => setImmediate(r));
    }
  };
  const writers = Array.from({ length: options.writers ?? 2 }, writer);

  const driver = options.driver();
  const db2 = createDatabase({ driver, repositories: { tickets: ticketsV2 }, plugins: keys(), schemaMode: 'verify' });
  const started = performance.now();
  const result = await migrate(db2, { migrations: [evolve(options.batchSize)], ...(options.concurrency ? { concurrency: options.concurrency } : {}) }).catch(async (err: unknown) => {
    // Stop the writers, or they keep the process alive until the runner kills the file.
    stop = true;
    await Promise.all(writers);
    await wdb.close().catch(() => undefined);
    await db2.close().catch(() => undefined);
    throw err;
  });
  const migrateMs = performance.now() - started;
  // Let the writers run a little on the migrated table too.
  await new Promise((r) => setTimeout(r, 200));
  stop = true;
  await Promise.all(writers);
  await wdb.close();
  assert.equal(result.applied, ['002_evolve_tickets']);
  assert.is(writerErrors, 0, `the concurrent writer failed: ${String(lastError)}`);

  // Every row reads back through the repository with the expected values.
  let seen = 0;
  let after: string | undefined;
  for (;;) {
    const page = await db2.tickets.find({ where: after ? { id: { gt: after } } : {}, orderBy: { id: 'asc' }, limit: 10_000 });
    if (page.length === 0) break;
    for (const row of page) {
      const i = index.get(row.id)!;
      const v1 = v1Row(i, s);
      if (row.subject !== v1.title || row.contact !== v1.email || row.priority !== Number(v1.priority) || row.plan !== (Number(v1.priority) > 5 ? 'pro' : 'free') || row.counter !== (acked.get(row.id) ?? 0)) {
        assert.equal({ ...row }, { id: row.id, subject: v1.title, contact: v1.email, priority: Number(v1.priority), plan: Number(v1.priority) > 5 ? 'pro' : 'free', counter: acked.get(row.id) ?? 0 }, `row ${i}`);
      }
      seen++;
    }
    after = page[page.length - 1]!.id;
  }
  assert.is(seen, options.rows);

  // Blind-index lookups find rows by the renamed field.
  for (const i of [0, Math.floor(options.rows / 2), options.rows - 1]) {
    const found = await db2.tickets.findOne({ where: { contact: v1Row(i, s).email } });
    assert.is(found && index.get(found.id), i);
  }

  // A raw dump holds no plaintext of the encrypted field; the old columns are gone.
  const dump = await options.stored.dump(driver);
  assert.ok(dump.length >= options.rows);
  assert.not.ok(dump.some((line) => line.includes(s)), 'a stored row holds plaintext of contact');
  const tables = await driver.migrations!.describe(['tickets']);
  assert.equal([...tables.get('tickets')!.columns.keys()].sort(), options.stored.fields);
  assert.is(tables.get('tickets')!.columns.get('priority')!.type, options.stored.integerType);
  assert.is(tables.get('tickets')!.columns.get('plan')!.nullable, false);
  await db2.close();

  // A fresh process in verify mode finds nothing to do.
  const check = createDatabase({ driver: options.driver(), repositories: { tickets: ticketsV2 }, plugins: keys(), schemaMode: 'verify' });
  await check.connect();
  await check.close();
  return { rows: options.rows, seedMs, migrateMs, increments: [...acked.values()].reduce((a, b) => a + b, 0), writerErrors };
}
