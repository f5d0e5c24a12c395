export { defineMigration, recordSteps, type Migration } from './define-migration.js';
export { MigrationSteps, type MigrationStep, type BackfillOptions, type BackfillFn, type ChangeTypeOptions } from './migration-steps.js';
export { loadMigrations, type MigrationSource } from './load-migrations.js';
export { migrate, migrationStatus, describeSteps, type MigrateOptions, type MigrateResult, type MigrationState, type MigrationProgressEvent } from './migrate.js';
export { planMigration, createMigration, type MigrationPlan, type PlannedChange } from './plan-migration.js';
export { migrationCheck } from './migration-check.js';
export { holdsTodo } from './todo-markers.js';
