// The doc comments of @chatcore/firestore: core's prelude and the package's
// entry points.
export * from './core.js';
export * from '@chatcore/firestore';
export * from '@chatcore/firestore/testing';
