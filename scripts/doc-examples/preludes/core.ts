// The doc comments of @chatcore/core: every public entry point of core, the
// chat schema and database of app.ts, the packages an application combines
// core with, and the values a plugin hook or a driver method has at hand.
import type { ChatcoreConfig } from '@chatcore/core/config';
import type { Operation, OperationContext, RepositorySchema, StoredRow } from '@chatcore/core/plugin';

export * from '@chatcore/core';
export * from '@chatcore/core/driver';
export * from '@chatcore/core/plugin';
export * from '@chatcore/core/config';
export * from '@chatcore/core/conformance';
export * from '@chatcore/core/testing';
export { pglite } from '@chatcore/pglite';
export { postgres } from '@chatcore/postgres';
export { audit } from '@chatcore/audit';
export { encryption } from '@chatcore/encryption';
export { cache, cacheSection } from '@chatcore/cache';
export { test } from 'uvu';
export * from './app.js';
export { myDriver } from './custom-driver.js';

/** A loaded stack file. */
export declare const config: ChatcoreConfig;
/** In a plugin hook: the operation, its context, and a storage schema. */
export declare const op: Operation;
export declare const ctx: OperationContext;
export declare const schema: RepositorySchema;
/** In a driver method: rows as stored. */
export declare const rows: StoredRow[];
