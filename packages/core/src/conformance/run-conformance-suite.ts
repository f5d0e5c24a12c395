import { FULL_CAPABILITIES, type DriverCapabilities } from '../driver/capabilities.js';
import { Harness, type ConformanceOptions } from './harness.js';
import { registerFieldTypeTests } from './field-types-tests.js';
import { registerTextAndTimeTests } from './text-and-time-tests.js';
import { registerCrudTests } from './crud-tests.js';
import { registerBulkTests } from './bulk-tests.js';
import { registerFilterTests } from './filter-tests.js';
import { registerEnumOrderTests } from './enum-order-tests.js';
import { registerTextFilterTests } from './text-filter-tests.js';
import { registerNullTestTests } from './null-test-tests.js';
import { registerAggregateTests } from './aggregate-tests.js';
import { registerAggregateEdgeTests } from './aggregate-edge-tests.js';
import { registerOrderTests } from './order-tests.js';
import { registerPagingTests } from './paging-tests.js';
import { registerWriteTests } from './write-tests.js';
import { registerUniqueTests } from './unique-tests.js';
import { registerColumnNameTests } from './column-name-tests.js';
import { registerTransactionTests } from './transaction-tests.js';
import { registerTransactionMisuseTests } from './transaction-misuse-tests.js';
import { registerProjectionTests } from './projection-tests.js';
import { registerCapabilityTests } from './capability-tests.js';
import { registerReferentialIntegrityTests } from './referential-integrity-tests.js';
import { registerReferentialDeleteTests } from './referential-delete-tests.js';
import { registerRelationsIncludeTests } from './relations-include-tests.js';
import { registerRelationsChunkTests } from './relations-chunk-tests.js';
import { registerUnstorableValueTests } from './unstorable-value-tests.js';
import { registerBoundedIncrementTests } from './bounded-increment-tests.js';
import { registerStorageOverflowTests } from './storage-overflow-tests.js';
import { registerStringLengthTests } from './string-length-tests.js';
import { registerCallOptionTests } from './call-option-tests.js';
import { registerClosingTests } from './closing-tests.js';

/**
 * Run the driver conformance suite: the semantics every backend must share
 * (DESIGN 7a), tested through the public API (`createDatabase` and typed
 * repositories) against the driver made by `createDriver`. It registers uvu
 * suites and runs them; call it once per test file, at the top level.
 *
 * Tables get a random suffix per run, so the suite can run against a shared
 * server; each group opens its own driver and closes it at the end. Tests of
 * features the driver declares it lacks (capabilities) are replaced by tests
 * that core refuses those queries with UnsupportedQueryError.
 *
 * @example
 * ```ts
 * // packages/my-driver/test/conformance.test.ts (myDriver: the package's driver factory)
 * import { runConformanceSuite } from '@chatcore/core/conformance';
 * await runConformanceSuite({ name: 'my-driver', createDriver: () => myDriver({ url: process.env.MY_URL ?? 'mydb://127.0.0.1' }) });
 * ```
 */
export async function runConformanceSuite(options: ConformanceOptions): Promise<void> {
  const capabilities = await probeCapabilities(options);
  const h = new Harness(options, capabilities);
  // Registration below is synchronous on purpose: uvu starts running on the
  // next timer tick after the first run(), so every suite must be queued now.
  registerFieldTypeTests(h);
  registerTextAndTimeTests(h);
  registerCrudTests(h);
  registerBulkTests(h);
  registerFilterTests(h);
  registerEnumOrderTests(h);
  registerTextFilterTests(h);
  registerNullTestTests(h);
  registerAggregateTests(h);
  registerAggregateEdgeTests(h);
  registerOrderTests(h);
  registerPagingTests(h);
  registerWriteTests(h);
  registerUniqueTests(h);
  registerColumnNameTests(h);
  registerTransactionTests(h);
  registerTransactionMisuseTests(h);
  registerProjectionTests(h);
  registerCapabilityTests(h);
  registerReferentialIntegrityTests(h);
  registerReferentialDeleteTests(h);
  registerRelationsIncludeTests(h);
  registerRelationsChunkTests(h);
  registerUnstorableValueTests(h);
  registerBoundedIncrementTests(h);
  registerStorageOverflowTests(h);
  registerStringLengthTests(h);
  registerCallOptionTests(h);
  registerClosingTests(h);
}

async function probeCapabilities(options: ConformanceOptions): Promise<DriverCapabilities> {
  const driver = await options.createDriver();
  try {
    return { ...FULL_CAPABILITIES, ...driver.capabilities };
  } finally {
    await driver.close();
    await options.closeDriver?.(driver);
  }
}

export type { ConformanceOptions, GroupEnv } from './harness.js';
