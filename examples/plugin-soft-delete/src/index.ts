export { softDelete, SoftDeletePlugin } from './soft-delete-plugin.js';
export type { SoftDeleteOptions, SoftDeleteStats } from './soft-delete-options.js';
export { onlyLive, deleteAsUpdate } from './soft-delete-transformer.js';
