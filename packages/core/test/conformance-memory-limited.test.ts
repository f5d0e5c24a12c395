import { runConformanceSuite } from '@chatcore/core/conformance';
import { memoryDriver } from '@chatcore/core/driver';

// The same engine declaring a small backend's capabilities: core must refuse
// what is declared missing (UnsupportedQueryError) before the driver sees it,
// and everything declared must still pass.
await runConformanceSuite({
  name: 'memory (limited capabilities)',
  createDriver: () =>
    memoryDriver({
      name: 'memory-limited',
      capabilities: {
        offset: false, or: false, ne: false, notIn: false, startsWith: false, notStartsWith: false,
        nestedTransactions: false, upsertOnUniqueFields: false, maxInList: 10, isolationLevels: ['serializable'],
        substring: false, insensitive: false, arrayContainsAll: false, notArrayContains: false, distinct: false,
        groupBy: false, aggregateMinMax: false, countField: false, maxReferenceWrites: 50,
      },
    }),
});
