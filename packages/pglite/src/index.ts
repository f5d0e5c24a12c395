export { pglite, type PgliteOptions } from './pglite-driver.js';
export { PgliteExecutor, type PgliteExecutorOptions } from './pglite-executor.js';
export { ConnectionLock } from './connection-lock.js';
export { pgliteFromConfig } from './backend-registration.js';
export { defaultTemplateCache, startInMemory } from './cluster-template.js';
export { dataDirState } from './data-dir-state.js';
