// The doc comments of @chatcore/migrate: core's prelude, the package's
// entry point, and the values its examples take for granted.
import type { Plugin } from '@chatcore/core/plugin';
import type { Migration, MigrationStep } from '@chatcore/migrate';
export * from './core.js';
export * from '@chatcore/migrate';

/** Migrations as a module would export them. */
export declare const migration: Migration;
export declare const m001: Migration;
export declare const m002: Migration;
/** A database URL and the application's plugins. */
export declare const url: string;
export declare const plugins: Plugin[];
/** The recorded steps of a migration. */
export declare const steps: readonly MigrationStep[];
