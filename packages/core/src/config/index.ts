export { c } from './config-builders.js';
export { ConfigType, INVALID, type AnyConfigType, type ConfigShape, type InferConfig, type InferShape, type ObjectOptions, type ReadScope, type Reader, type Writer, type TypeState } from './config-type.js';
export { ConfigChecker, closestName, kindOf, type SourceInfo } from './config-checker.js';
export { checkOptionKeys, optionKeys } from './option-keys.js';
export type { ConfigProblem } from '../errors.js';
export { interpolateEnv, type EnvSource, type Interpolation } from './interpolate-env.js';
export { configKeys, type ConfigKey } from './config-keys.js';
export { configJsonSchema, jsonSchemaOf } from './config-json-schema.js';
export { readYaml, type YamlSource } from './yaml-source.js';
export { databaseSection, type DatabaseTls, type DatabaseConfig, type ResolvedDatabaseConfig, type BuiltinBackend } from './database-config.js';
export {
  registerSection, getSection, listSections, unregisterSection, KNOWN_SECTION_PACKAGES,
  type ConfigSections, type SectionDefinition, type SectionBuildContext,
} from './section-registry.js';
export {
  loadConfig, configSections, resolveDatabaseConfig, stringifyConfig,
  type ChatcoreConfig, type ConfigWith, type ExtraSections, type LoadConfigOptions,
} from './load-config.js';
export { registerBackend, getBackend, listBackends, unregisterBackend, type BackendFactory } from './backend-registry.js';
export { createStack, loadStackConfig, type StackOptions } from './create-stack.js';
export { parseDuration } from '../util/duration.js';
export { parseSize } from '../util/size.js';
export { resolveRetryOptions, resolveBreakerOptions, type RetryOptions, type BreakerOptions, type ResolvedRetryOptions, type ResolvedBreakerOptions } from '../resilience/resilience-options.js';
export { SecretValue } from '../util/secret-value.js';
