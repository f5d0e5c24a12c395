import type { RepositorySchema, StoredRow } from '@chatcore/core/plugin';
import { keyIdOf } from '../crypto/ciphertext-format.js';
import type { OldNameColumn, RepositoryPlan } from '../repository-plan.js';
import type { RotationContext } from './reencrypt-job.js';

// An interrupted rename migration leaves ciphertext under the field's old
// name in the rows it has not rewritten yet; resuming it must decrypt them.
// The key jobs count those values so that a key still needed there is not
// retired, and re-encryption waits for the migration to finish. Only the
// process that ran the migration knows its renames; any other reads the
// migration history.

/**
 * Values still stored under the old name of a renamed field, in rows the
 * migration has not rewritten (the new name is still null), per key id.
 *
 * @example
 * ```ts
 * const u: OldNameUsage = { repository: 'people', from: 'email', to: 'contact', byKey: { k1: 10 } };
 * ```
 */
export interface OldNameUsage {
  readonly repository: string;
  readonly from: string;
  readonly to: string;
  readonly byKey: Readonly<Record<string, number>>;
}

async function* oldRows(ctx: RotationContext, plan: RepositoryPlan, old: OldNameColumn, batchSize: number): AsyncGenerator<StoredRow[]> {
  const storage = plan.storage!;
  const schema: RepositorySchema = { ...storage, fields: { ...storage.fields, ...old.fields } };
  const select = ['id', old.from, old.to];
  let last: string | null = null;
  for (;;) {
    const rows = await ctx.host.session.query(schema, { orderBy: [{ field: 'id', direction: 'asc' }], limit: batchSize, after: last === null ? undefined : [last], select }, {});
    if (rows.length === 0) return;
    yield rows;
    last = rows.at(-1)!.id as string;
    if (rows.length < batchSize) return;
  }
}

/**
 * Count the values under the old names of the renames that migrations
 * read in this process (plan.oldNames), in rows not yet rewritten. An old
 * column the database no longer has (the migration finished and dropped
 * it) is forgotten.
 *
 * @example
 * ```ts
 * for (const u of await oldNameUsage(ctx, plan, 2000)) console.log(u.repository, u.from, u.byKey);
 * ```
 */
export async function oldNameUsage(ctx: RotationContext, plan: RepositoryPlan, batchSize = 2000): Promise<OldNameUsage[]> {
  const out: OldNameUsage[] = [];
  for (const old of [...plan.oldNames.values()]) {
    const byKey: Record<string, number> = {};
    try {
      for await (const rows of oldRows(ctx, plan, old, batchSize)) {
        for (const row of rows) {
          const v = row[old.from];
          if (v === null || v === undefined || (row[old.to] !== null && row[old.to] !== undefined)) continue;
          const k = keyIdOf(v) ?? 'unknown';
          byKey[k] = (byKey[k] ?? 0) + 1;
        }
      }
    } catch (error) {
      // The table itself reads (else the error is not about the old column): the old column is gone.
      await ctx.host.session.query(plan.storage!, { orderBy: [{ field: 'id', direction: 'asc' }], limit: 1, select: ['id'] }, {}).catch(() => { throw error; });
      plan.oldNames.delete(old.from);
      continue;
    }
    if (Object.keys(byKey).length > 0) out.push({ repository: plan.name, from: old.from, to: old.to, byKey });
  }
  return out;
}

/**
 * The ids of the migrations the history records as started and not
 * finished (none when the driver keeps no history). A process that did not
 * run them cannot tell which fields they rename, so the key jobs wait for
 * all of them.
 *
 * @example
 * ```ts
 * const ids = await unfinishedMigrations(ctx); // ['010_people_contact']
 * ```
 */
export async function unfinishedMigrations(ctx: RotationContext): Promise<string[]> {
  const backend = ctx.host.driver.migrations;
  if (!backend) return [];
  return (await backend.history()).filter((r) => !r.finishedAt).map((r) => r.id);
}
