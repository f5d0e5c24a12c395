import type { AnyRepositoryDef, FilterOf, PatchOf, RecordOf } from '@chatcore/core';
import type { FieldType } from '@chatcore/core/driver';

/**
 * Options of a data step.
 *
 * @example
 * ```ts
 * const options: BackfillOptions<typeof users> = { where: { age: { isNull: true } }, batchSize: 500 };
 * ```
 */
export interface BackfillOptions<D extends AnyRepositoryDef = AnyRepositoryDef> {
  /** Only rows matching this filter (through the repository, so encrypted fields match by blind index). */
  readonly where?: FilterOf<D>;
  /** Rows per transaction; progress is recorded after each. Default 500. */
  readonly batchSize?: number;
}

/**
 * What a backfill returns for a row: the fields to set, or nothing to leave it alone.
 *
 * @example
 * ```ts
 * const fill: BackfillFn<typeof users> = (row) => (row.name === row.name.trim() ? undefined : { name: row.name.trim() });
 * ```
 */
export type BackfillFn<D extends AnyRepositoryDef = AnyRepositoryDef> = (row: RecordOf<D>) => PatchOf<D> | undefined | Promise<PatchOf<D> | undefined>;

/**
 * Options of `changeType`.
 *
 * @example
 * ```ts
 * const options: ChangeTypeOptions = { from: 'string', convert: (v) => Number.parseInt(String(v), 10) };
 * ```
 */
export interface ChangeTypeOptions {
  /** The field's type before the change (how stored values are read). Default 'string'. */
  readonly from?: FieldType;
  /** The new value of each stored value that is not null. */
  readonly convert: (value: unknown) => unknown;
  readonly batchSize?: number;
}

/**
 * One step of a migration, as `up(m)` recorded it.
 *
 * @example
 * ```ts
 * const step: MigrationStep = { kind: 'renameField', repository: 'users', from: 'name', to: 'displayName' };
 * ```
 */
export type MigrationStep =
  | { readonly kind: 'addField'; readonly repository: string; readonly field: string }
  | { readonly kind: 'renameField'; readonly repository: string; readonly from: string; readonly to: string; readonly batchSize?: number | undefined }
  | { readonly kind: 'dropField'; readonly repository: string; readonly field: string }
  | { readonly kind: 'changeType'; readonly repository: string; readonly field: string; readonly from: FieldType; readonly convert: (value: unknown) => unknown; readonly batchSize?: number | undefined }
  | { readonly kind: 'addIndex' | 'dropIndex'; readonly repository: string; readonly fields: readonly string[]; readonly unique: boolean }
  | { readonly kind: 'addReference'; readonly repository: string; readonly field: string }
  | { readonly kind: 'renameRepository'; readonly from: string; readonly to: string }
  | { readonly kind: 'backfill'; readonly repository: string; readonly where?: unknown; readonly batchSize?: number | undefined; readonly fn: BackfillFn };

/**
 * The `m` that a migration's `up(m)` describes its changes with. Names are
 * those of the code's repository definitions after the change (the new
 * name of a renamed field or repository), checked when the migration runs.
 * Schema steps need only what differs from what chatcore creates by itself:
 * new fields and indexes declared in the repositories appear on their own,
 * but stating them (`addField`, `addIndex`) documents the change and lets a
 * required new field be filled by a backfill before it becomes NOT NULL.
 *
 * @example
 * ```ts
 * export default defineMigration({
 *   id: '002_contact',
 *   up(m) {
 *     m.renameField('users', 'email', 'contact');       // re-encrypts if encrypted
 *     m.addField('users', 'plan');
 *     m.backfill('users', { batchSize: 500 }, () => ({ plan: 'free' }));
 *     m.dropField('users', 'legacyNote');
 *   },
 * });
 * ```
 */
export class MigrationSteps {
  /** The recorded steps, in order. */
  readonly steps: MigrationStep[] = [];

  /** A field the repository now declares (a required one is filled by this migration's backfills before it becomes NOT NULL). */
  addField(repository: string, field: string): this {
    return this.push({ kind: 'addField', repository, field });
  }

  /** Rename a field; values of an encrypted field are re-encrypted under the new name and its blind index rebuilt, in resumable batches. */
  renameField(repository: string, from: string, to: string, options: { batchSize?: number } = {}): this {
    return this.push({ kind: 'renameField', repository, from, to, batchSize: options.batchSize });
  }

  /** Remove a field and its stored values (and its blind index). */
  dropField(repository: string, field: string): this {
    return this.push({ kind: 'dropField', repository, field });
  }

  /** Change a field's type: every stored value is converted with `convert` and written through the repository. */
  changeType(repository: string, field: string, options: ChangeTypeOptions): this {
    return this.push({ kind: 'changeType', repository, field, from: options.from ?? 'string', convert: options.convert, batchSize: options.batchSize });
  }

  /** An index the repository now declares (created by the migration). */
  addIndex(repository: string, fields: readonly string[]): this {
    return this.push({ kind: 'addIndex', repository, fields: [...fields], unique: false });
  }

  /**
   * A `.references()` the repository now declares on an existing field: the
   * migration adds its FOREIGN KEY (SQL); rows naming missing records make it
   * fail with nothing changed. A new reference field needs only `addField`.
   */
  addReference(repository: string, field: string): this {
    return this.push({ kind: 'addReference', repository, field });
  }

  /** Drop an index over these fields. */
  dropIndex(repository: string, fields: readonly string[]): this {
    return this.push({ kind: 'dropIndex', repository, fields: [...fields], unique: false });
  }

  /** A unique key the repository now declares; existing duplicates make the migration fail with nothing changed. */
  addUnique(repository: string, fields: readonly string[]): this {
    return this.push({ kind: 'addIndex', repository, fields: [...fields], unique: true });
  }

  /** Drop a unique key over these fields. */
  dropUnique(repository: string, fields: readonly string[]): this {
    return this.push({ kind: 'dropIndex', repository, fields: [...fields], unique: true });
  }

  /** Rename a repository (its table or collection) from `from` to `to`, the name it is now declared with. */
  renameRepository(from: string, to: string): this {
    return this.push({ kind: 'renameRepository', from, to });
  }

  /**
   * Rewrite rows through the repository (validation, encryption, blind
   * indexes, audit and cache invalidation apply), in id order, `batchSize`
   * rows per transaction. Progress is recorded after each batch: a run that
   * was killed resumes after the last recorded batch, so a batch may be
   * applied twice if the process died between its commit and the record;
   * compute the patch from the row (idempotent), as in the example.
   */
  backfill<D extends AnyRepositoryDef = AnyRepositoryDef>(repository: string, options: BackfillOptions<D>, fn: BackfillFn<D>): this {
    return this.push({ kind: 'backfill', repository, where: options.where, batchSize: options.batchSize, fn: fn as unknown as BackfillFn });
  }

  private push(step: MigrationStep): this {
    this.steps.push(step);
    return this;
  }
}
