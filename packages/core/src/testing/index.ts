// @chatcore/core/testing: helpers for test suites (services, ports) and the
// in-memory reference driver for fast plugin and application tests.
export { isReachable, requireService, parseTarget, type ServiceName, type ServiceTarget } from './services.js';
export { freePort } from './free-port.js';
export { closedPort } from './closed-port.js';
export { memoryDriver, MemoryDriver, type MemoryDriverOptions } from '../memory/memory-driver.js';
export { leakedMarkers } from './leaked-markers.js';
export { configErrorOf } from './config-error-of.js';
