export { run, createProgram, type RunOptions } from './program.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { CliError, describeError } from './cli-error.js';
export { printResult, type CliIo, type CommandResult } from './output.js';
export { loadRepositories } from './load-repositories.js';
export { openStack, readStackConfig, type OpenStackOptions } from './open-stack.js';
export { loadApplication, withDatabase, CLI_ACTOR, type CommandContext, type GlobalOptions } from './command-context.js';
export { createProgress, type Progress } from './progress.js';
export {
  defaultCheckpointPath, readRotationState, writeRotationState, clearRotationState,
  type RotationState, type RepositoryRotation,
} from './rotation-checkpoint.js';
export { healthCommand } from './commands/health.js';
export { statsCommand, type TierRate } from './commands/stats.js';
export { schemaCommand, type SchemaAction } from './commands/schema.js';
export { planSchema, type SchemaPlan } from './commands/schema-check.js';
export { keysStatusCommand, keysAddCommand, keysRotateCommand, keysRetireCommand, type RotateOptions } from './commands/keys.js';
export { keysVerifyCommand, verifyFailureText, type VerifyCommandOptions } from './commands/keys-verify.js';
export { auditVerifyCommand, type AuditVerifyOptions } from './commands/audit.js';
export { migrateStatusCommand, migrateUpCommand, migrateCreateCommand, migrationsDir, type MigrateCommandOptions } from './commands/migrate.js';
