export { resolveRetryOptions, resolveBreakerOptions, type RetryOptions, type BreakerOptions, type ResolvedRetryOptions, type ResolvedBreakerOptions } from './resilience-options.js';
export { breakerHealth, overallStatus, type BreakerState } from './breaker-state.js';
export { ProbedBreaker, type ProbedBreakerSettings } from './probed-breaker.js';
