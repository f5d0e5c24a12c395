import { IntegrityError, KeyError } from '@chatcore/core';
import { decodeValue } from '../crypto/plaintext-codec.js';
import { openRecord } from '../record/record-envelope.js';
import { cipherOf, envelopeCipherOf, type RepositoryPlan } from '../repository-plan.js';
import type { RotationContext } from './reencrypt-job.js';
import { batches, planOf, slots } from './table-scan.js';

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
  /** `integrity`: altered, moved or malformed; `key_missing`: written under a key id the keyring lacks. */
  readonly problem: 'integrity' | 'key_missing';
  readonly keyId?: string | undefined;
}

/**
 * Result of a verification scan.
 *
 * @example
 * ```ts
 * const r = await enc.verify(); if (r.failed > 0) console.error(r.findings);
 * ```
 */
export interface VerifyResult {
  readonly scanned: number;
  readonly values: number;
  readonly failed: number;
  /** The first `maxFindings` failures. */
  readonly findings: readonly IntegrityFinding[];
}

function check(plan: RepositoryPlan, column: string, value: unknown, id: string): void {
  if (plan.mode === 'record') {
    openRecord(envelopeCipherOf(plan), plan.logical.fields, value, id);
    return;
  }
  const p = plan.fields.get(column)!;
  decodeValue(cipherOf(plan, p).open(value, id), p.meta.type, p.meta.items);
}

/**
 * Decrypt every stored value of the protected repositories (or one) without
 * returning any of them, and list what fails: for audits, after a restore,
 * or before retiring a key. Reads below every plugin; reports no security
 * events (the caller decides what to do with the findings).
 *
 * @example
 * ```ts
 * const { failed, findings } = await verify(ctx, { repository: 'users' });
 * ```
 */
export async function verify(ctx: RotationContext, options: { repository?: string; batchSize?: number; maxFindings?: number }): Promise<VerifyResult> {
  const plans = options.repository ? [planOf(ctx, options.repository)] : [...ctx.plans.values()];
  const max = options.maxFindings ?? 100;
  const findings: IntegrityFinding[] = [];
  let scanned = 0, values = 0, failed = 0;
  for (const plan of plans) {
    const columns = slots(plan);
    for await (const rows of batches(ctx, plan, options.batchSize ?? 1000, null)) {
      for (const row of rows) {
        scanned++;
        const id = row.id as string;
        for (const s of columns) {
          const v = row[s.column];
          if (v === null || v === undefined) continue;
          values++;
          try {
            check(plan, s.column, v, id);
          } catch (error) {
            if (!(error instanceof IntegrityError) && !(error instanceof KeyError)) throw error;
            failed++;
            if (findings.length < max) {
              findings.push({ repository: plan.name, id, field: s.column, problem: error instanceof KeyError ? 'key_missing' : 'integrity', keyId: s.keyId(v) });
            }
          }
        }
      }
    }
  }
  return { scanned, values, failed, findings };
}
