import { IntegrityError, KeyError } from '@chatcore/core';
import { decodeValue } from '../crypto/plaintext-codec.js';
import { openRecord } from '../record/record-envelope.js';
import { checkRow, cipherOf, envelopeCipherOf, indexerOf, type RepositoryPlan } from '../repository-plan.js';
import { AUTH_FIELD } from '../crypto/row-authenticator.js';
import type { RotationContext } from './reencrypt-job.js';
import { batches, planOf, slots, type Slot } from './table-scan.js';
import { sample } from './key-sample.js';
import { diagnose, type VerifyTally } from './key-diagnosis.js';
import type { StoredRow } from '@chatcore/core/plugin';

/**
 * One stored value that does not decrypt.
 *
 * @example
 * ```ts
 * const f: IntegrityFinding = { repository: 'users', id: '0190…', field: 'ssn', problem: 'integrity', keyId: 'k1' };
 * ```
 */
export interface IntegrityFinding {
  readonly repository: string;
  readonly id: string;
  /** The field, or the envelope field of a sealed repository. */
  readonly field: string;
  /**
   * `integrity`: altered or moved; `key_missing`: written under a key id the
   * keyring lacks; `not_ciphertext`: no chatcore ciphertext at all (plaintext
   * stored before the field was marked sensitive, or garbage).
   */
  readonly problem: 'integrity' | 'key_missing' | 'not_ciphertext';
  readonly keyId?: string | undefined;
}

/**
 * Result of a verification scan.
 *
 * @example
 * ```ts
 * const r = await enc.verify(); if (r.failed > 0) console.error(r.diagnosis, r.findings);
 * ```
 */
export interface VerifyResult {
  readonly scanned: number;
  readonly values: number;
  readonly failed: number;
  /** The first `maxFindings` failures. */
  readonly findings: readonly IntegrityFinding[];
  /** True when the failures say the configuration does not match the stored data (keys, or a field marked encrypted that holds plaintext), not that some rows were altered. */
  readonly keysMismatch: boolean;
  /** With failures, their likely cause in one sentence (see key-diagnosis.ts). */
  readonly diagnosis?: string | undefined;
}

/**
 * Options of a verification scan.
 *
 * @example
 * ```ts
 * const o: VerifyOptions = { rowsPerRepository: 3 }; // a sample: the first 3 and 3 of the newest rows of each repository
 * ```
 */
export interface VerifyOptions {
  readonly repository?: string | undefined;
  readonly batchSize?: number | undefined;
  readonly maxFindings?: number | undefined;
  /** Check only a cheap sample of each repository: its first `rowsPerRepository` rows by id and as many of its newest (see key-sample.ts). */
  readonly rowsPerRepository?: number | undefined;
  /** The key id that roots the row authenticators, or undefined for a separate blind-index key (for the diagnosis). */
  readonly indexRootKeyId?: string | undefined;
}

/** Open one stored value; its logical values go to `into` (the field's, or the envelope's). */
function check(plan: RepositoryPlan, column: string, value: unknown, id: string, binding: string | undefined, into: Record<string, unknown>): void {
  if (plan.mode === 'record') {
    Object.assign(into, openRecord(envelopeCipherOf(plan), plan.logical.fields, value, id, undefined, binding));
    return;
  }
  const p = plan.fields.get(column)!;
  into[p.name] = decodeValue(cipherOf(plan, p).open(value, id, binding), p.meta.type, p.meta.items);
}

/** Check one row's values, then how they fit together (authenticator, blind indexes), into the tally. */
function checkOne(plan: RepositoryPlan, columns: readonly Slot[], row: StoredRow, tally: VerifyTally, findings: IntegrityFinding[], max: number): void {
  tally.scanned++;
  const id = row.id as string;
  let valuesFailed = false;
  // A bound row's values open only with its binding: that is most of its row check.
  const binding = plan.auth?.bindingOf(row);
  const values: Record<string, unknown> = {};
  for (const s of columns) {
    const v = row[s.column];
    if (v === null || v === undefined) continue;
    const keyId = s.keyId(v);
    // A value with no readable key id is no ciphertext: it says nothing about the keys.
    const perKey = keyId === undefined ? undefined : (tally.byKey[keyId] ??= { values: 0, failed: 0, missing: false });
    const perField = (tally.byField[`${plan.name}.${s.column}`] ??= { values: 0, malformed: 0 });
    if (perKey) perKey.values++;
    perField.values++;
    tally.values++;
    try {
      check(plan, s.column, v, id, binding, values);
    } catch (error) {
      if (!(error instanceof IntegrityError) && !(error instanceof KeyError)) throw error;
      tally.failed++;
      if (perKey) perKey.failed++;
      else perField.malformed++;
      if (error instanceof KeyError && perKey) perKey.missing = true;
      valuesFailed = true;
      if (findings.length < max) findings.push({ repository: plan.name, id, field: s.column, problem: !perKey ? 'not_ciphertext' : error instanceof KeyError ? 'key_missing' : 'integrity', keyId });
    }
  }
  // Values that each decrypt can still be a mix of states of the row, or be found by blind indexes that are not theirs.
  if (valuesFailed) return;
  let field: string | undefined;
  try {
    if (plan.auth) checkRow(plan, row);
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    field = AUTH_FIELD;
  }
  // Not counted in stats: a scan, not a lookup.
  for (const p of plan.searchable) if (field === undefined && (row[p.indexField!] ?? null) !== indexerOf(plan, p).of(p.meta, values[p.name] ?? null, p.normalize)) field = p.indexField!;
  // Checks keyed by the root (the first key, or blind_index.key): an a1/a2 authenticator, blind indexes. What tells a changed root.
  const rooted = (plan.auth !== undefined && binding === undefined) || plan.searchable.some((p) => values[p.name] !== null && values[p.name] !== undefined);
  if (rooted) tally.rows.checked++;
  if (field === undefined) return;
  tally.failed++;
  if (rooted) tally.rows.failed++;
  if (findings.length < max) findings.push({ repository: plan.name, id, field, problem: 'integrity' });
}

/**
 * Decrypt every stored value of the protected repositories (or one) without
 * returning any of them, and list what fails: for audits, after a restore,
 * or before retiring a key. Reads below every plugin; reports no security
 * events (the caller decides what to do with the findings). With
 * `rowsPerRepository`, only a sample of each repository is read.
 *
 * @example
 * ```ts
 * const { failed, findings } = await verify(ctx, { repository: 'users' });
 * ```
 */
export async function verify(ctx: RotationContext, options: VerifyOptions): Promise<VerifyResult> {
  const plans = options.repository ? [planOf(ctx, options.repository)] : [...ctx.plans.values()];
  const max = options.maxFindings ?? 100;
  const findings: IntegrityFinding[] = [];
  const tally: VerifyTally = { scanned: 0, values: 0, failed: 0, byKey: {}, byField: {}, rows: { checked: 0, failed: 0 } };
  for (const plan of plans) {
    const columns = slots(plan);
    const source = options.rowsPerRepository === undefined ? batches(ctx, plan, options.batchSize ?? 1000, null) : sample(ctx, plan, options.rowsPerRepository);
    for await (const rows of source) {
      for (const row of rows) checkOne(plan, columns, row, tally, findings, max);
    }
  }
  const { keysMismatch, diagnosis } = diagnose(tally, options.indexRootKeyId);
  return { scanned: tally.scanned, values: tally.values, failed: tally.failed, findings, keysMismatch, ...(diagnosis ? { diagnosis } : {}) };
}
