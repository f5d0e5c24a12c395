export { registerDataSuite } from './data-suite.js';
export { registerSchemaSuite } from './schema-suite.js';
export { registerDerivedColumnSuite } from './derived-column-suite.js';
export { registerSafetySuite } from './safety-suite.js';
export { SpyExecutor, tableChecksum, dropTables, suffix, testRepositories, type SqlSuiteOptions } from './fixtures.js';
export { registerForeignKeySuite } from './foreign-key-suite.js';
export { registerIncrementOverflowSuite } from './increment-overflow-suite.js';
