// The doc comments of @chatcore/sql and @chatcore/pglite: core's prelude, both
// packages' entry points, and an executor and connection of the reader's own.
import type { PGlite } from '@electric-sql/pglite';
import type { SqlConnection, SqlDriver, SqlExecutor } from '@chatcore/sql';

export * from './core.js';
export * from '@chatcore/sql';
export * from '@chatcore/sql/testing';
export * from '@chatcore/pglite';
export * as assert from 'uvu/assert';
export { Kysely } from 'kysely';

/** The SQL driver of the database (pglite() or postgres() return one). */
export declare const driver: SqlDriver;
/** An executor over the reader's client (see SqlExecutor). */
export declare const executor: SqlExecutor;
/** A connection reserved by `executor.withConnection`. */
export declare const conn: SqlConnection;
/** A PGlite instance shared by a test file. */
export declare const client: PGlite;
