import type { StoredRow } from '@chatcore/core/plugin';
import { ConfigError, IntegrityError } from '@chatcore/core';
import { keyIdOf } from '../crypto/ciphertext-format.js';
import { envelopeCiphertext } from '../record/reseal.js';
import type { RepositoryPlan } from '../repository-plan.js';
import type { RotationContext } from './reencrypt-job.js';

// Shared by the key jobs (re-encryption, key usage, verification): reading a
// protected repository in id order, below every plugin.

/**
 * The plan of a protected repository, or a ConfigError naming it.
 *
 * @example
 * ```ts
 * const plan = planOf(ctx, 'users');
 * ```
 */
export function planOf(ctx: RotationContext, repository: string): RepositoryPlan {
  const plan = ctx.plans.get(repository);
  if (!plan) throw new ConfigError(`Repository ${repository} has no encrypted fields (or does not exist); nothing to scan.`);
  return plan;
}

/**
 * A storage column holding ciphertext, and how to read the key id of its values.
 *
 * @example
 * ```ts
 * const s: Slot = slots(plan)[0]!; s.keyId(row[s.column]);
 * ```
 */
export interface Slot {
  readonly column: string;
  readonly keyId: (v: unknown) => string | undefined;
}

/**
 * Storage columns holding ciphertext, and how to read the key id of each.
 *
 * @example
 * ```ts
 * for (const s of slots(plan)) console.log(s.column, s.keyId(row[s.column]));
 * ```
 */
export function slots(plan: RepositoryPlan): Slot[] {
  if (plan.mode === 'record') return [{ column: plan.envelopeField!, keyId: (v) => keyIdOf(envelopeCiphertext(v)) }];
  return [...plan.fields.values()].map((p) => ({ column: p.name, keyId: (v: unknown) => keyIdOf(v) }));
}

/**
 * The error for a stored value in a ciphertext column that is no chatcore
 * ciphertext at all (plaintext stored before the field was marked
 * sensitive, or a value written around the library), naming the record.
 *
 * @example
 * ```ts
 * if (s.keyId(row[s.column]) === undefined) throw notCiphertext(plan, s.column, row.id);
 * ```
 */
export function notCiphertext(plan: RepositoryPlan, column: string, id: unknown): IntegrityError {
  return new IntegrityError(
    `A stored value of ${plan.name}.${column} (record ${String(id)}) is not a chatcore ciphertext: it was stored before the field was marked sensitive, or written around the library. \`keys verify\` lists every such value; see "Encrypting an existing field" in docs/encryption.md.`,
    { info: { repository: plan.name, field: column, id, reason: 'not_ciphertext' } },
  );
}

/**
 * The storage fields the key jobs read: the id, the ciphertext columns, the
 * blind indexes (verify compares them with the values), and what the row
 * authenticator covers (the version, the authenticator).
 *
 * @example
 * ```ts
 * scanFields(plan); // ['id', 'email', 'ssn', 'emailBidx', 'rowAuth', 'version']
 * ```
 */
export function scanFields(plan: RepositoryPlan): string[] {
  return [...new Set(['id', ...slots(plan).map((s) => s.column), ...plan.searchable.map((p) => p.indexField!), ...(plan.auth ? plan.auth.fields() : [])])];
}

/**
 * The stored rows of a repository in id order, `batchSize` at a time, read
 * below every plugin (no cache): the jobs must see what is stored.
 *
 * @example
 * ```ts
 * for await (const rows of batches(ctx, plan, 500, null)) ...
 * ```
 */
export async function* batches(ctx: RotationContext, plan: RepositoryPlan, batchSize: number, after: string | null, signal?: AbortSignal): AsyncGenerator<StoredRow[]> {
  const select = scanFields(plan);
  let last = after;
  for (;;) {
    signal?.throwIfAborted();
    const rows = await ctx.host.session.query(plan.storage!, {
      orderBy: [{ field: 'id', direction: 'asc' }],
      limit: batchSize,
      after: last === null ? undefined : [last],
      select,
    }, { signal });
    if (rows.length === 0) return;
    yield rows;
    last = rows.at(-1)!.id as string;
    if (rows.length < batchSize) return;
  }
}

