import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createDatabase, memoryDriver } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { audit, verifyAuditTrail } from '@chatcore/audit';
import { CapturedSink, repositories, secretValues } from './helpers/fixtures.js';

test('with [audit, encryption], tampered ciphertext yields an integrity_failure security event and a redacted error event', async () => {
  const sink = new CapturedSink();
  const repos = repositories();
  const driver = memoryDriver();
  const db = createDatabase({
    driver,
    repositories: repos,
    plugins: [audit({ sinks: { console: { stream: sink.stream } } }), encryption({ rootKey: randomBytes(32).toString('base64') })],
  });
  await db.connect();
  const [plain] = secretValues();
  const u = await db.users.create({ name: 'Ada', email: plain } as never) as { id: string };
  assert.ok(await db.users.get(u.id));
  const storage = db.schemas.get(repos.users.name)!;
  const [row] = await driver.getByIds(storage, [u.id], {});
  const stored = row!.email;
  const tampered = typeof stored === 'string'
    ? stored.slice(0, -6) + (stored.at(-6) === 'A' ? 'B' : 'A') + stored.slice(-5)
    : (() => { const b = Uint8Array.from(stored as Uint8Array); b[b.length - 3]! ^= 1; return b; })();
  await driver.update(storage, { ids: [u.id] }, { set: { email: tampered }, increment: {} }, {});
  let failed: unknown;
  try { await db.users.get(u.id, { actor: 'user:5', traceId: 't-int' }); } catch (e) { failed = e; }
  assert.ok(failed, 'reading tampered ciphertext fails');
  await db.close();
  const ops = sink.operations();
  const err = ops.find((e) => e.outcome === 'error')!;
  assert.equal([err.method, (err.error as { code: string }).code, err.traceId], ['get', 'INTEGRITY', 't-int']);
  const sec = sink.events(true).filter((e) => e.type === 'security');
  assert.equal(sec.map((e) => [e.event, e.actor, e.ids]), [['integrity_failure', 'user:5', [u.id]]]);
  assert.not.ok(sink.all.includes(plain));
  assert.ok((await verifyAuditTrail(sink.events(true))).ok);
});

test.run();
