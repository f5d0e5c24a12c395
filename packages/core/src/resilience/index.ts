export { resolveRetryOptions, resolveBreakerOptions, type RetryOptions, type BreakerOptions, type ResolvedRetryOptions, type ResolvedBreakerOptions } from './resilience-options.js';
export { breakerHealth, overallStatus, type BreakerState } from './breaker-state.js';
export { WriteClock, type ReadYourWritesScope } from './write-clock.js';
