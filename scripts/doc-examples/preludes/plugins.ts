// The doc comments of the plugin packages (cache, audit, encryption): core's
// prelude and the three packages' entry points.
export * from './core.js';
export * from '@chatcore/cache';
export * from '@chatcore/audit';
export * from '@chatcore/encryption';
export * from '@chatcore/metrics';
