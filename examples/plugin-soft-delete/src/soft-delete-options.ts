/**
 * Options of `softDelete()`.
 *
 * @example
 * ```ts
 * const options: SoftDeleteOptions = { field: 'deletedAt', repositories: ['users', 'conversations'] };
 * ```
 */
export interface SoftDeleteOptions {
  /** The field that marks a record deleted: an optional timestamp each repository declares (default `deletedAt`). */
  readonly field?: string;
  /** The repositories to soft-delete in (each must declare the field); default: every repository that declares it. */
  readonly repositories?: readonly string[];
}

/**
 * What the plugin has done since the database was created.
 *
 * @example
 * ```ts
 * const { softDeleted, hidden } = db.plugin<SoftDeletePlugin>('soft-delete')!.stats();
 * ```
 */
export interface SoftDeleteStats {
  /** Records soft-deleted by committed deletes. */
  readonly softDeleted: number;
  /** Records soft-deleted by deletes that were rolled back (then restored by the rollback). */
  readonly rolledBack: number;
  /** Deleted records left out of `get`/`getMany` results. */
  readonly hidden: number;
}
