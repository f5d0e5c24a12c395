import { runConformanceSuite } from '@chatcore/core/conformance';
import { memoryDriver } from '../src/index.js';

// The reference driver must pass the whole suite with full capabilities.
await runConformanceSuite({ name: 'memory', createDriver: () => memoryDriver() });
