// The doc comments of the plugin packages (cache, audit, encryption, metrics):
// core's prelude, the packages' entry points, and the values their examples
// have at hand (a plugin instance taken from `db.plugin(...)`, a verify report).
import type { EncryptionPlugin } from '@chatcore/encryption';
import type { CachePlugin } from '@chatcore/cache';
import type { MetricsPlugin, HealthEndpoints } from '@chatcore/metrics';
import type { SealedAuditEvent, VerifyReport } from '@chatcore/audit';

export * from './core.js';
export * from '@chatcore/cache';
export * from '@chatcore/audit';
export * from '@chatcore/encryption';
export * from '@chatcore/metrics';
export * as http from 'node:http';
export { default as winston } from 'winston';
export { randomBytes } from 'node:crypto';

/** The installed plugins, as `db.plugin<...>('name')` returns them. */
export declare const enc: EncryptionPlugin;
export declare const cachePlugin: CachePlugin;
export declare const m: MetricsPlugin;
/** The endpoints of `healthEndpoints(db, ...)`. */
export declare const endpoints: HealthEndpoints;
/** An Express app and a Fastify instance of the reader's service. */
export declare const app: { use(handler: HealthEndpoints['handle']): void };
export declare const fastifyApp: { register(plugin: HealthEndpoints['fastify']): Promise<void> };
/** What `verifyAuditTrail` returned, and the events of a trail. */
export declare const report: VerifyReport;
export declare const events: readonly SealedAuditEvent[];
/** Key material of the reader's deployment (from their secret store). */
export declare const passphrase: string;
export declare const salt: string;
/** The reader's alerting. */
export declare function alert(message: string): void;
