import { IntegrityError, MigrationError, type Database, type RepositoryMap } from '@chatcore/core';
import { toSnakeCase, type FieldMeta, type RepositorySchema } from '@chatcore/core/driver';
import type { RepositoryInfo } from './compile-migration.js';
import type { MigrationStep } from './migration-steps.js';

/** Rows with a value in the dropped field that are read back through the repository. */
const SAMPLE = 20;

function hasRowAuthenticator(storage: RepositorySchema): boolean {
  return Object.values(storage.fields).some((m) => m.storedAs === 'row-authenticator');
}

/**
 * Refuse, before anything of migration `id` runs, to drop a field whose
 * stored values a row authenticator covers (an encrypted field of a
 * repository with row authenticators): once the column is gone the
 * authenticator of every row that held a value can no longer be checked,
 * and those rows no longer read or update. Rows of the repository that
 * hold a value in the field are read back through the repository as the
 * code now declares it; an IntegrityError there means the field is covered.
 * Rows where the field is null are never covered, so a field cleared
 * beforehand (set to null through the repository by a release that still
 * declares it) drops fine.
 *
 * @example
 * ```ts
 * await refuseCoveredDrops(db, '003_drop_phone', steps, repositories); // MigrationError when phone still holds ciphertext
 * ```
 */
export async function refuseCoveredDrops(
  db: Database<RepositoryMap>,
  id: string,
  steps: readonly MigrationStep[],
  repositories: ReadonlyMap<string, RepositoryInfo>,
): Promise<void> {
  for (const step of steps) {
    if (step.kind !== 'dropField') continue;
    const r = repositories.get(step.repository);
    if (!r || !r.key || !hasRowAuthenticator(r.storage) || Object.hasOwn(r.logical.fields, step.field)) continue;
    const meta: FieldMeta = { type: 'text', optional: true, unique: false, indexed: false, secret: false, column: toSnakeCase(step.field) };
    const scan: RepositorySchema = { ...r.storage, fields: { id: r.storage.fields.id!, [step.field]: meta }, indexes: [] };
    const rows = await db.driver.query(scan, { where: { kind: 'isNull', field: step.field, isNull: false }, orderBy: [{ field: 'id', direction: 'asc' }], limit: SAMPLE, select: ['id', step.field] }, {});
    // Ciphertext is always stored as text: a number, boolean or other value cannot be covered (a dropped plain counter).
    const held = rows.filter((row) => typeof row[step.field] === 'string');
    if (held.length === 0) continue;
    const repo = (db as unknown as Record<string, { find(query: { where: unknown; select: readonly string[] }): Promise<unknown> }>)[r.key]!;
    try {
      // Only the id is asked for: fields this migration adds have no column yet, and the plugin reads what its check needs anyway.
      await repo.find({ where: { id: { in: held.map((row) => row.id as string) } }, select: ['id'] });
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      throw new MigrationError(
        `Migration ${id}: dropField ${step.repository}.${step.field}: rows hold values of it that their row authenticator covers ` +
          `(an encrypted field), so once it is dropped they would no longer read or update. Clear it first: in a migration ` +
          `of a release that still declares ${step.field}, set it to null through the repository ` +
          `(m.backfill('${step.repository}', { where: { ${step.field}: { isNull: false } } }, () => ({ ${step.field}: null }))), ` +
          `then drop it. Nothing was changed.`,
        { cause: err, info: { id, repository: step.repository, field: step.field, reason: 'covered-by-row-authenticator' } },
      );
    }
  }
}
