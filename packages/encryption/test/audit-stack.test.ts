import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, IntegrityError, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { audit, verifyAuditTrail } from '@chatcore/audit';
import { encryption } from '../src/index.js';
import { KEY_A, highEntropy } from './helpers/keys.js';
import { scenarioRepos } from './helpers/plaintext-scenario.js';
import { findLeaks } from './helpers/plaintext-scan.js';

const dir = mkdtempSync(join(tmpdir(), 'chatcore-enc-audit-'));
const file = join(dir, 'audit.log');
const { people, chats } = scenarioRepos('audit');
const driver = memoryDriver();
const db = createDatabase({
  driver,
  repositories: { people, chats },
  plugins: [audit({ sinks: { file }, reads: 'all', includeValues: { [people.schema.name]: ['name', 'apiKey'] } }), encryption({ keys: [{ id: 'k1', key: KEY_A }], sensitiveFields: ['api_key'] })],
});
await db.connect();

/** The error a call fails with (undefined when it succeeds). */
async function errorOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (e) {
    return e;
  }
  return undefined;
}

test('the audit log records an integrity failure as a security event, and holds no plaintext (a config-named encrypted field stays out even when allowlisted)', async () => {
  const secrets: string[] = [];
  const s = (p: string) => { const v = highEntropy(p); secrets.push(v); return v; };
  const a = await db.people.create({ name: 'a', email: `${s('e')}@a.io`, ssn: s('ssn'), apiKey: s('sk'), password: s('pw') });
  const b = await db.people.create({ name: 'b', email: `${s('e')}@b.io`, ssn: s('ssn') });
  await db.people.update(a.id, { ssn: s('ssn') });
  await db.people.find({ where: { email: a.email } });
  await db.chats.create({ conversationId: 'c', body: s('body'), author: s('author') });
  assert.instance(await errorOf(db.people.find({ where: { apiKey: { startsWith: secrets[3]! } } })), ValidationError);
  const storage = db.schemas.get(people.schema.name)!;
  const stolen = (await driver.getByIds(storage, [a.id], {}))[0]!.ssn;
  await driver.update(storage, { ids: [b.id] }, { set: { ssn: stolen }, increment: {} }, {});
  assert.instance(await errorOf(db.people.get(b.id, { actor: 'user:5', traceId: 't-int' })), IntegrityError);
  // One flipped byte in a stored ciphertext (the GCM tag no longer verifies) is reported the same way.
  const stored = (await driver.getByIds(storage, [a.id], {}))[0]!.ssn as string;
  const at = stored.length - 6;
  const flipped = stored.slice(0, at) + (stored[at] === 'A' ? 'B' : 'A') + stored.slice(at + 1);
  await driver.update(storage, { ids: [a.id] }, { set: { ssn: flipped }, increment: {} }, {});
  assert.instance(await errorOf(db.people.get(a.id, { actor: 'user:6', traceId: 't-flip' })), IntegrityError);
  await db.close();
  const log = readFileSync(file, 'utf8');
  const events = log.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  // The failed read is an operation event with the error's code, and a security event names who read what.
  const failures = events.filter((e) => e.type === 'operation' && e.outcome === 'error' && e.method === 'get');
  assert.equal(failures.map((f) => [f.method, (f.error as { code: string }).code, f.traceId]), [['get', 'INTEGRITY', 't-int'], ['get', 'INTEGRITY', 't-flip']]);
  const security = events.filter((e) => e.type === 'security');
  assert.equal(security.map((e) => [e.event, e.actor, e.ids]), [['integrity_failure', 'user:5', [b.id]], ['integrity_failure', 'user:6', [a.id]]]);
  assert.equal(findLeaks(log, secrets), []);
  // The chain over all of it still verifies.
  const report = await verifyAuditTrail(file);
  assert.ok(report.ok, report.ok ? '' : report.problem);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
