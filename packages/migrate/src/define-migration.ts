import { createHash } from 'node:crypto';
import { MigrationError } from '@chatcore/core';
import { MigrationSteps, type MigrationStep } from './migration-steps.js';

/**
 * A migration: a stable id (ordered, e.g. `003_split_name`) and `up(m)`,
 * which describes the changes with `m` (it is called to record them, not
 * inside a transaction).
 *
 * @example
 * ```ts
 * const m1: Migration = defineMigration({ id: '001_subject', up: (m) => m.renameField('tickets', 'title', 'subject') });
 * ```
 */
export interface Migration {
  readonly id: string;
  up(m: MigrationSteps): void;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/**
 * Declare a migration; a migration file's default export.
 *
 * @example
 * ```ts
 * // migrations/002_contact.ts
 * import { defineMigration } from '@chatcore/migrate';
 * export default defineMigration({
 *   id: '002_contact',
 *   up(m) {
 *     m.renameField('users', 'email', 'contact');
 *   },
 * });
 * ```
 */
export function defineMigration(migration: Migration): Migration {
  if (!migration || typeof migration.id !== 'string' || !ID_RE.test(migration.id)) {
    throw new MigrationError(`A migration needs an id of letters, digits, "_", "." or "-" (e.g. '003_add_plan'); got ${JSON.stringify(migration?.id)}.`, { info: { id: migration?.id } });
  }
  if (typeof migration.up !== 'function') throw new MigrationError(`Migration ${migration.id} has no up(m) function.`, { info: { id: migration.id } });
  return Object.freeze({ id: migration.id, up: migration.up });
}

/**
 * A step as the checksum sees it: its fields, each function by its source
 * text (whitespace collapsed), undefined fields left out.
 *
 * @example
 * ```ts
 * canonicalStep({ kind: 'dropField', repository: 'users', field: 'legacy' }); // { kind: 'dropField', repository: 'users', field: 'legacy' }
 * ```
 */
export function canonicalStep(step: MigrationStep): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'function' ? `fn:${v.toString().replace(/\s+/g, ' ')}` : v;
  }
  return out;
}

/**
 * The steps of a migration and their checksum: SHA-256 over the id and each
 * step, functions included by their source text, so editing an applied
 * migration (a step or a backfill's code) changes it.
 *
 * @example
 * ```ts
 * const { steps, checksum } = recordSteps(migration);
 * ```
 */
export function recordSteps(migration: Migration): { steps: readonly MigrationStep[]; checksum: string } {
  const m = new MigrationSteps();
  try {
    migration.up(m);
  } catch (err) {
    throw new MigrationError(`Migration ${migration.id}: up(m) threw while describing its steps: ${err instanceof Error ? err.message : String(err)}`, { cause: err, info: { id: migration.id } });
  }
  const checksum = createHash('sha256').update(JSON.stringify({ id: migration.id, steps: m.steps.map(canonicalStep) })).digest('hex');
  return { steps: m.steps, checksum };
}
