export { runConformanceSuite, type ConformanceOptions, type GroupEnv } from './run-conformance-suite.js';
export { sortRecords, compareRecords, rowsAfter, sameValue, withIdTieBreaker, type Rec, type SortSpec } from './reference.js';
