import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver, type Driver, type NormalizedQuery } from '@chatcore/core/driver';
import { requireService } from '@chatcore/core/testing';
import { pglite } from '@chatcore/pglite';
import { postgres } from '@chatcore/postgres';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { encryption, type EncryptionPlugin, type KeyOption } from '../src/index.js';
import { randomIdLike, uuidv7Floor, uuidv7Time } from '../src/rotation/key-sample.js';
import { dropSuffixedTables } from './helpers/suffixed-tables.js';
import { randomKey } from './helpers/keys.js';

// The sample checkKeys reads (and health, keys status, keys rotate with it):
// the first rows by id and the newest ones, with ascending reads only, so
// that it runs on the Firestore emulator (no descending document-id scan)
// and still meets a key that only the newest rows are written with.

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;
const K1 = randomKey();
const K2 = randomKey();
const OTHER = randomKey();
await requireService('postgres');
const emulator = await useFirestoreEmulator();

/** Storage that outlives a database: each `driver()` reaches the same rows. */
interface Store {
  readonly name: string;
  driver(): Driver;
  cleanup(): Promise<void>;
}

function stores(suffix: string): Store[] {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatcore-key-sample-'));
  const memory = memoryDriver();
  // The memory driver forgets its rows when closed: every database gets it with close() a no-op.
  const kept = new Proxy(memory, { get: (t, p) => (p === 'close' ? async () => {} : typeof Reflect.get(t, p) === 'function' ? (Reflect.get(t, p) as (...a: unknown[]) => unknown).bind(t) : Reflect.get(t, p)) });
  const projectId = `chatcore-sample-${suffix}`;
  return [
    { name: 'memory', driver: () => kept, cleanup: () => memory.close() },
    { name: 'pglite', driver: () => pglite({ dataDir }), cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) },
    { name: 'postgres', driver: () => postgres({ url: PG, poolSize: 2 }), cleanup: () => dropSuffixedTables(PG, suffix) },
    { name: 'firestore', driver: () => firestore({ projectId, emulatorHost: emulator.host }), cleanup: async () => {} },
  ];
}

/** A driver whose queries are recorded, and whether each read the sample sent was ascending (at most 10 of them). */
function recording(driver: Driver) {
  const queries: NormalizedQuery[] = [];
  const proxy = new Proxy(driver, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (prop === 'query') return (schema: unknown, query: NormalizedQuery, ...rest: unknown[]) => (queries.push(query), (value as (...a: unknown[]) => unknown).call(target, schema, query, ...rest));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const ascending = () => queries.length <= 10 && queries.every((q) => q.orderBy.length === 1 && q.orderBy[0]!.field === 'id' && q.orderBy[0]!.direction === 'asc');
  return { driver: proxy, reads: () => queries.length, ascending };
}

const ledger = (suffix: string) => defineRepository(`ledger_${suffix}`, { id: f.id(), owner: f.string().sensitive({ searchable: true }), version: f.version() });

/** A UUIDv7 of millisecond `ms`, told apart by `n`. */
const idAt = (ms: number, n: number) => uuidv7Floor(ms).slice(0, 24) + n.toString(16).padStart(12, '0');

async function withDb<T>(driver: Driver, suffix: string, keys: KeyOption[], fn: (db: ReturnType<typeof open>, enc: EncryptionPlugin) => Promise<T>): Promise<T> {
  const db = open(driver, suffix, keys);
  await db.connect();
  try {
    return await fn(db, db.plugin<EncryptionPlugin>('encryption')!);
  } finally {
    await db.close();
  }
}
function open(driver: Driver, suffix: string, keys: KeyOption[]) {
  return createDatabase({ driver, repositories: { ledger: ledger(suffix) }, plugins: [encryption({ keys })], schemaMode: 'apply' });
}

test('UUIDv7 ids: uuidv7Floor sorts before every id of its millisecond and after every earlier one; uuidv7Time reads it back', () => {
  const t = Date.UTC(2024, 5, 27, 14, 53, 20);
  assert.is(uuidv7Floor(t), '01905a2f-cb00-7000-8000-000000000000');
  assert.is(uuidv7Time(uuidv7Floor(t)), t);
  assert.is(uuidv7Time(idAt(t, 5)), t);
  assert.ok(uuidv7Floor(t) < idAt(t, 1) && idAt(t - 1, 0xffffffff) < uuidv7Floor(t));
  for (const other of ['user-12', '01905a2f-cb00-4000-8000-000000000000', '01905A2F-CB00-7000-8000-000000000000']) assert.is(uuidv7Time(other), undefined, other);
});

test('randomIdLike keeps the shape of the id: hex ids stay hex, other ids keep dashes and the kind of each character', () => {
  for (let i = 0; i < 50; i++) {
    assert.match(randomIdLike('9b2f6c1e-58aa-4c3d-9e2b-0f1e2d3c4b5a'), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(randomIdLike('Inv_2024-007x'), /^[A-Z][a-z]{2}_[0-9]{4}-[0-9]{3}[a-z]$/);
    assert.match(randomIdLike('9B2F6C1E-58AA'), /^[0-9A-F]{8}-[0-9A-F]{4}$/);
  }
  assert.is(new Set(Array.from({ length: 20 }, () => randomIdLike('9b2f6c1e-58aa-4c3d-9e2b-0f1e2d3c4b5a'))).size, 20);
});

const all = stores(randomBytes(4).toString('hex'));
for (const store of all) {
  const suffix = randomBytes(3).toString('hex');

  test(`${store.name}: a key only the newest rows are under is met by the sample; wrong material for it is a key mismatch`, async () => {
    const now = Date.now();
    await withDb(store.driver(), suffix, [{ id: 'k1', key: K1, active: true }], async (db, enc) => {
      // 20 rows from 400 to 115 days ago under k1, then 2 under k2, 3 and 2 days ago.
      await db.ledger.createMany(Array.from({ length: 20 }, (_, i) => ({ id: idAt(now - (400 - 15 * i) * DAY, i), owner: `old-${i}` })));
      await enc.addKey({ id: 'k2', key: K2 }, { activate: true });
      await db.ledger.createMany([3, 2].map((d) => ({ id: idAt(now - d * DAY, d), owner: `new-${d}` })));
    });
    const wrong = await withDb(store.driver(), suffix, [{ id: 'k1', key: K1 }, { id: 'k2', key: OTHER, active: true }], (_db, enc) => enc.checkKeys());
    assert.equal([wrong.scanned, wrong.keysMismatch], [6, true], JSON.stringify(wrong));
    assert.match(wrong.diagnosis!, /wrong material for key id k2 \(none of its 2 value\(s\) decrypt\)/);
    const counted = recording(store.driver());
    const right = await withDb(counted.driver, suffix, [{ id: 'k1', key: K1 }, { id: 'k2', key: K2, active: true }], async (db, enc) => {
      const result = await enc.checkKeys();
      assert.is((await db.health()).components.find((c) => c.name === 'encryption')?.status, 'up');
      return result;
    });
    assert.equal([right.scanned, right.failed, right.keysMismatch], [6, 0, false]);
    // The first 3 rows, then looks back 1 s, 16 s, 4 min, 68 min, 18 h, 12 days (the 2 newest rows), 194 days (full).
    assert.is(counted.reads(), 8);
    assert.ok(counted.ascending());
  });

  test(`${store.name}: rows just written: two reads, the first rows and the ones after them`, async () => {
    const fresh = `${suffix}f`;
    await withDb(store.driver(), fresh, [{ id: 'k1', key: K1, active: true }], (db) => db.ledger.createMany(Array.from({ length: 10 }, (_, i) => ({ owner: `o-${i}` }))));
    const counted = recording(store.driver());
    const check = await withDb(counted.driver, fresh, [{ id: 'k1', key: K1 }], (_db, enc) => enc.checkKeys());
    assert.equal([check.scanned, check.failed, check.keysMismatch], [6, 0, false]);
    // Two when the check runs within a second of the writes; a look or two more when opening the database took longer.
    assert.ok(counted.reads() <= 4, `${counted.reads()} reads`);
    assert.ok(counted.ascending());
    const wrong = await withDb(store.driver(), fresh, [{ id: 'k1', key: OTHER }], (_db, enc) => enc.checkKeys());
    assert.ok(wrong.keysMismatch);
    assert.match(wrong.diagnosis!, /wrong material for key id k1/);
  });

  test(`${store.name}: ids that do not tell the time: the first rows and the rows after a random id, no row twice`, async () => {
    const custom = `${suffix}c`;
    await withDb(store.driver(), custom, [{ id: 'k1', key: K1, active: true }], (db) => db.ledger.createMany(Array.from({ length: 30 }, (_, i) => ({ id: `n-${String(i).padStart(4, '0')}`, owner: `o-${i}` }))));
    for (let i = 0; i < 3; i++) {
      const counted = recording(store.driver());
      const check = await withDb(counted.driver, custom, [{ id: 'k1', key: K1 }], (_db, enc) => enc.checkKeys());
      assert.ok(check.scanned >= 3 && check.scanned <= 6, `${check.scanned} rows`);
      assert.equal([check.failed, check.keysMismatch, counted.reads()], [0, false, 2]);
      assert.ok(counted.ascending());
    }
  });
}

test.after(async () => {
  for (const store of all) await store.cleanup().catch(() => undefined);
  await emulator.stop();
});
test.run();
