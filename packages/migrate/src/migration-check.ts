import type { Plugin } from '@chatcore/core/plugin';
import type { Driver } from '@chatcore/core';
import { loadMigrations, type MigrationSource } from './load-migrations.js';
import { recordSteps } from './define-migration.js';
import { judgeEdit } from './resume-edits.js';

/**
 * A plugin that makes `schemaMode: 'verify'` report migrations that are
 * not applied, by id, in the SchemaDriftError that `connect()` raises:
 * pending, interrupted (started, not finished) or edited since applied.
 * It changes nothing and has no other hook; put it anywhere in the list.
 *
 * @example
 * ```ts
 * const db = createDatabase({ driver, repositories, plugins: [migrationCheck({ dir: './migrations' })], schemaMode: 'verify' });
 * await db.connect(); // SchemaDriftError: ... migration 004_plans is pending (run migrate) ...
 * ```
 */
export function migrationCheck(source: MigrationSource): Plugin {
  return {
    name: 'migrations',
    async verifySchema(driver: Driver): Promise<string[]> {
      const backend = driver.migrations;
      if (!backend) return [`the ${driver.name} driver does not support versioned migrations`];
      // An unfinished record whose schema transaction rolled back holds nothing applied: pending.
      const rolledBack = (r: { finishedAt?: Date | undefined; progress: Readonly<Record<string, unknown>> }) => backend.atomicSchemaChanges === true && !r.finishedAt && r.progress.phase === undefined;
      const history = new Map((await backend.history()).filter((r) => !rolledBack(r)).map((r) => [r.id, r]));
      const found: string[] = [];
      for (const m of await loadMigrations(source)) {
        const rec = history.get(m.id);
        const { steps, checksum } = recordSteps(m);
        if (!rec) found.push(`migration ${m.id} is pending (run migrate)`);
        else if (rec.checksum !== checksum && (rec.finishedAt || !judgeEdit(rec.progress, steps).resumable)) found.push(`migration ${m.id} was edited after it was ${rec.finishedAt ? 'applied' : 'started'}`);
        else if (!rec.finishedAt) found.push(`migration ${m.id} was interrupted (run migrate to finish it)`);
      }
      return found;
    },
  };
}
