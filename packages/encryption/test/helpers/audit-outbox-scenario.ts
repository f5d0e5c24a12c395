import * as assert from 'uvu/assert';
import { createDatabase, IntegrityError } from '@chatcore/core';
import { audit, verifyAuditTrail, type AuditPlugin } from '@chatcore/audit';
import type { SqlDriver } from '@chatcore/sql';
import { encryption } from '../../src/index.js';
import { KEY_A, highEntropy } from './keys.js';
import { scenarioRepos } from './plaintext-scenario.js';
import { sqlAccess } from './raw-access.js';

/**
 * An integrity failure on a read inside a transaction, with the audit outbox
 * as the only sink: two rows' ciphertexts are swapped through raw SQL, one of
 * them is read in `db.transaction(...)`. The security event must reach the
 * outbox (autocommitted, even though the transaction rolls back), without
 * hanging the transaction or being refused by a single-connection driver.
 * Returns the tables it created (for the caller to drop on a shared server).
 */
export async function integrityInTransactionScenario(driver: SqlDriver, suffix: string): Promise<string[]> {
  const { people, chats } = scenarioRepos(`ot_${suffix}`);
  const outbox = { table: `audit_events_${suffix}`, linkTable: `audit_links_${suffix}`, headTable: `audit_chain_${suffix}`, checkpointTable: `audit_checkpoints_${suffix}` };
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  const db = createDatabase({
    driver,
    repositories: { people, chats },
    plugins: [audit({ sinks: { outbox } }), encryption({ keys: [{ id: 'k1', key: KEY_A }] })],
  });
  await db.connect();
  const tables = [...db.schemas.values()].map((s) => s.table);
  try {
    const a = await db.people.create({ name: 'a', email: `${highEntropy()}@a.io`, ssn: highEntropy() });
    const b = await db.people.create({ name: 'b', email: `${highEntropy()}@b.io`, ssn: highEntropy() });
    const raw = sqlAccess(driver);
    const storage = db.schemas.get(people.schema.name)!;
    const [ssnA, ssnB] = [await raw.read(storage, a.id, 'ssn'), await raw.read(storage, b.id, 'ssn')];
    await raw.write(storage, a.id, { ssn: ssnB });
    await raw.write(storage, b.id, { ssn: ssnA });

    let caught: unknown;
    const done = db.transaction(async (tx) => {
      await tx.people.get(b.id, { actor: 'user:tx', traceId: 't-tx' });
    }).catch((e: unknown) => { caught = e; });
    const timeout = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5000).unref());
    assert.is.not(await Promise.race([done.then(() => 'ended' as const), timeout]), 'hung', 'the transaction ends');
    assert.instance(caught, IntegrityError);
    // The same failure outside a transaction, for comparison.
    assert.instance(await db.people.get(a.id, { actor: 'user:out', traceId: 't-out' }).catch((e: unknown) => e), IntegrityError);

    const auditor = db.plugin<AuditPlugin>('audit')!;
    await auditor.flush();
    const reader = auditor.outboxReader();
    const events = [];
    for await (const e of reader) events.push(e as unknown as Record<string, unknown>);
    const security = events.filter((e) => e.type === 'security');
    assert.equal(security.map((e) => [e.event, e.actor, e.traceId, e.ids]).sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
      [['integrity_failure', 'user:out', 't-out', [a.id]], ['integrity_failure', 'user:tx', 't-tx', [b.id]]]);
    assert.equal(warnings.filter((w) => /audit|security event/.test(w)), [], 'no event was refused');
    assert.is(await reader.pending(), 0);
    const report = await verifyAuditTrail(reader, await reader.checkpoints());
    assert.ok(report.ok, report.ok ? '' : JSON.stringify(report.problem));
  } finally {
    process.off('warning', onWarning);
    await db.close();
  }
  return tables;
}
