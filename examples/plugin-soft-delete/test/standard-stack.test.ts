import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { pglite } from '@chatcore/pglite';
import { audit, verifyAuditTrail } from '@chatcore/audit';
import { encryption } from '@chatcore/encryption';
import { cache } from '@chatcore/cache';
import { softDelete } from '../src/index.js';

// The plugin in the standard onion, [audit, softDelete, encryption, cache],
// on PGlite with the cache's shared tier on Redis.

await requireService('redis');

const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 100 }),
  email: f.string().unique().sensitive({ searchable: true }),
  ssn: f.string().optional().sensitive(),
  deletedAt: f.timestamp().optional(),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

const dir = mkdtempSync(join(tmpdir(), 'chatcore-soft-delete-'));
const auditFile = join(dir, 'audit.log');
const sd = softDelete();
const c = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace: `sdstack${randomBytes(4).toString('hex')}`, repositories: { users: true } });
const driver = pglite();
const db = createDatabase({
  driver,
  repositories: { users },
  plugins: [audit({ sinks: { file: auditFile }, reads: 'all' }), sd, encryption({ rootKey: randomBytes(32).toString('base64') }), c],
});
await db.connect();
const k = driver.kysely<{ users: typeof users }>();

const hits = () => c.stats().total.local.hits + c.stats().total.shared.hits;
const ssnOf = (i: number) => `ssn-${randomBytes(6).toString('hex')}-${i}`;
const people = await db.users.createMany([0, 1, 2].map((i) => ({ name: `p${i}`, email: `p${i}@example.com`, ssn: ssnOf(i) })));
const [ada, bob, cy] = people as [typeof people[number], typeof people[number], typeof people[number]];

/** The reads a deleted record must never come back from. */
async function reads() {
  return {
    get: await db.users.get(ada.id),
    getMany: (await db.users.getMany([ada.id, bob.id])).map((u) => u.id),
    byEmail: await db.users.findOne({ where: { email: ada.email } }), // a blind-index lookup
    all: (await db.users.find({ orderBy: { name: 'asc' } })).map((u) => u.name),
    count: await db.users.count({}),
    exists: await db.users.exists({ email: ada.email }),
    written: (await db.users.query(k.selectFrom('users').selectAll().orderBy('name'))).map((u) => u.name), // rows filtered on the way up
  };
}

test('deleted records never come back from get, find or count, even when the cache was warm', async () => {
  // Warm both tiers with every read shape, twice, and see the second round served by the cache.
  await reads();
  const warm = hits();
  const before = await reads();
  assert.ok(hits() > warm, 'the second round of reads hit the cache');
  assert.equal(before.get, ada);
  assert.is(before.count, 3);
  assert.equal(before.written, ['p0', 'p1', 'p2']);

  assert.is(await db.users.delete(ada.id, { traceId: 'trace-soft-delete', actor: 'user:admin' }), true);
  for (let round = 0; round < 2; round++) {
    const after = await reads();
    assert.equal(after, { get: null, getMany: [bob.id], byEmail: null, all: ['p1', 'p2'], count: 2, exists: false, written: ['p1', 'p2'] }, `round ${round}`);
  }
  // The cache still serves the records that were not deleted.
  const stillWarm = hits();
  assert.equal(await db.users.get(bob.id), bob);
  assert.ok(hits() > stillWarm);
});

test('the deleted record is still stored, encrypted, and its encrypted fields round-trip when read with includingDeleted', async () => {
  const k = driver.kysely<{ users: typeof users }>();
  const raw = await k.selectFrom('users').select(['ssn', 'email', 'deleted_at']).where('id', '=', ada.id).executeTakeFirstOrThrow();
  assert.instance(raw.deleted_at, Date);
  assert.ok(typeof raw.ssn === 'string' && !raw.ssn.includes(ada.ssn!), 'ssn is stored as ciphertext');
  assert.ok(!String(raw.email).includes('p0@'), 'email is stored as ciphertext');

  const stored = await sd.includingDeleted(() => db.users.get(ada.id));
  assert.equal({ ssn: stored!.ssn, email: stored!.email, name: stored!.name }, { ssn: ada.ssn, email: ada.email, name: ada.name });
  assert.instance(stored!.deletedAt, Date);
  assert.is(stored!.version, ada.version + 1);
  const byEmail = await sd.includingDeleted(() => db.users.findOne({ where: { email: ada.email } }));
  assert.is(byEmail!.id, ada.id);
});

test('a restored record comes back everywhere, decrypted, and a second delete hides it again from the warm cache', async () => {
  await sd.includingDeleted(() => db.users.update(ada.id, { deletedAt: null }));
  await reads();
  const back = await reads();
  assert.equal({ ...back, get: back.get && { ssn: back.get.ssn, deletedAt: back.get.deletedAt } }, {
    get: { ssn: ada.ssn, deletedAt: null }, getMany: [ada.id, bob.id], byEmail: back.byEmail, all: ['p0', 'p1', 'p2'], count: 3, exists: true, written: ['p0', 'p1', 'p2'],
  });
  assert.is(back.byEmail!.id, ada.id);
  assert.is(await db.users.deleteMany({ name: { in: ['p0', 'p2'] } }), 2);
  assert.equal((await reads()).all, ['p1']);
  assert.is(await db.users.get(cy.id), null);
});

test('the audit trail records the delete as the delete the caller made, with no plaintext and an intact chain', async () => {
  await db.close();
  const log = readFileSync(auditFile, 'utf8');
  const events = log.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  const ofDelete = events.filter((e) => e.type === 'operation' && e.traceId === 'trace-soft-delete');
  assert.equal(ofDelete.map((e) => [e.method, e.outcome, e.actor, e.ids]), [['delete', 'ok', 'user:admin', [ada.id]]]);
  const deleteMany = events.filter((e) => e.type === 'operation' && e.method === 'deleteMany');
  assert.equal(deleteMany.map((e) => [...(e.ids as string[])].sort()), [[ada.id, cy.id].sort()]);
  assert.equal(ofDelete.map((e) => [e.kind, e.family]), [['delete', 'delete']]);
  // The plugin's rewrites happen below the audit plugin: reads are recorded as the caller made them.
  const counts = events.filter((e) => e.type === 'operation' && e.method === 'count');
  assert.ok(counts.length > 0 && counts.every((e) => (e.fields as string[]).length === 0));
  for (const p of people) assert.not.ok(log.includes(p.ssn!), 'no ssn in the audit log');
  const report = await verifyAuditTrail(auditFile);
  assert.ok(report.ok, report.ok ? '' : JSON.stringify(report.problem));
});

test.after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});
test.run();
