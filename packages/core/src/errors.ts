// The typed errors of every package, with stable codes: the base class and
// codes, errors about data, errors about the running system.
export * from './errors/base.js';
export * from './errors/data-errors.js';
export * from './errors/runtime-errors.js';
