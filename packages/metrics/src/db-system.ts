/**
 * The `db.system` value for a driver name: both SQL drivers speak
 * PostgreSQL (PGlite is PostgreSQL compiled to WebAssembly); other drivers
 * (firestore, memory, custom backends) give their own name, as the
 * conventions ask for systems they do not list.
 *
 * @example
 * ```ts
 * dbSystem('pglite');    // 'postgresql'
 * dbSystem('firestore'); // 'firestore'
 * ```
 */
export function dbSystem(driverName: string): string {
  return driverName === 'postgres' || driverName === 'pglite' ? 'postgresql' : driverName;
}
