// The doc comments of @chatcore/postgres: core's prelude, the SQL driver, the
// package's entry point, and the settings of the reader's deployment.
import type { PostgresConfig } from '@chatcore/postgres';

export * from './core.js';
export * from '@chatcore/sql';
export * from '@chatcore/postgres';

/** The connection settings of the deployment. */
export declare const config: PostgresConfig;
export { default as pg } from 'pg';
