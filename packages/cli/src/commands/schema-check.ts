import { SchemaDriftError } from '@chatcore/core';
import type { Driver, RepositorySchema } from '@chatcore/core/driver';

/**
 * The difference between the repositories and the database: the additive
 * steps `ensureSchema` would run, the differences only a migration can
 * resolve, and the backend's notes (e.g. Firestore indexes to deploy).
 *
 * @example
 * ```ts
 * const plan: SchemaPlan = await planSchema(db);
 * if (plan.destructive.length) console.error('write a migration');
 * ```
 */
export interface SchemaPlan {
  readonly additive: ReadonlyArray<{ readonly description: string; readonly sql?: string | undefined }>;
  readonly destructive: readonly string[];
  readonly notes: readonly string[];
  /** Backend artefacts from the driver's report, e.g. `{ firestoreIndexes }` (see SchemaReport). */
  readonly artifacts?: Readonly<Record<string, unknown>> | undefined;
}

const isStep = (v: unknown): v is { description: string; sql?: string } =>
  typeof v === 'object' && v !== null && typeof (v as { description?: unknown }).description === 'string';

/**
 * Compare the storage schemas of a database (after plugins extended them)
 * with what the backend has, running no DDL (the driver's verify mode). The
 * driver must be connected. `thorough` adds the checks that count stored
 * records (Firestore documents lacking a declared field): `schema plan` and
 * `schema verify` use it, the quick checks of other commands do not.
 *
 * @example
 * ```ts
 * await db.driver.connect();
 * const { additive } = await planSchema(db);
 * ```
 */
export async function planSchema(db: { readonly driver: Driver; readonly schemas: ReadonlyMap<string, RepositorySchema> }, options: { readonly thorough?: boolean } = {}): Promise<SchemaPlan> {
  const schemas = [...db.schemas.values()];
  try {
    const report = await db.driver.ensureSchema(schemas, { mode: 'verify', thorough: options.thorough === true });
    return { additive: [], destructive: [], notes: report.notes ?? [], artifacts: report.artifacts };
  } catch (error) {
    if (!(error instanceof SchemaDriftError)) throw error;
    const additive = Array.isArray(error.info.additive) ? error.info.additive.filter(isStep).map((s) => ({ description: s.description, sql: s.sql })) : undefined;
    const destructive = Array.isArray(error.info.destructive) ? error.info.destructive.map(String) : undefined;
    // A driver may still report its notes and artefacts (Firestore's indexes to deploy) with the differences.
    const notes = Array.isArray(error.info.notes) ? error.info.notes.map(String) : [];
    const artifacts = typeof error.info.artifacts === 'object' && error.info.artifacts !== null ? (error.info.artifacts as Record<string, unknown>) : undefined;
    if (additive && destructive) return { additive, destructive, notes, ...(artifacts ? { artifacts } : {}) };
    // A driver that does not tell the two apart: every difference needs a look, so none is called safe.
    const differences = Array.isArray(error.info.differences) ? error.info.differences.map(String) : [error.message];
    return { additive: [], destructive: differences, notes: [] };
  }
}
