import { runConformanceSuite } from '@chatcore/core/conformance';
import { memoryDriver } from '@chatcore/core/driver';

// The reference driver must pass the whole suite with full capabilities.
await runConformanceSuite({ name: 'memory', createDriver: () => memoryDriver() });
