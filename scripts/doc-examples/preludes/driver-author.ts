// docs/drivers.md: the app prelude, the reader's own driver factory, and the
// backend-specific pieces the skeleton leaves to the driver author: they
// stand for whatever the backend's client library offers.
import type { NormalizedQuery, RepositorySchema, StoredRow } from '@chatcore/core/driver';

export * from './app.js';
export { myDriver, type MyDriverOptions } from './custom-driver.js';

/** Options of the backend's client. */
export interface MyOptions {
  readonly url?: string | undefined;
}
/** A statement the backend's client runs. */
export interface MyStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}
/** The backend's client library, as far as the skeleton uses it. */
export declare class MyClient {
  constructor(options: MyOptions);
  connect(): Promise<void>;
  end(): Promise<void>;
  insertAll(table: string, rows: readonly StoredRow[]): Promise<void>;
  select(statement: MyStatement): Promise<StoredRow[]>;
}
/** Translates a normalized query into the backend's language. */
export declare function compileQuery(schema: RepositorySchema, query: NormalizedQuery): MyStatement;
/** Whether the client's error is a duplicate-key error, and on which fields. */
export declare function isDuplicateKey(error: unknown): boolean;
export declare function fieldsOf(error: unknown): string[];
/** Creates what is missing (mode 'apply') or lists it (mode 'verify'). */
export declare function createMissing(client: MyClient, schemas: readonly RepositorySchema[], mode: 'apply' | 'verify'): Promise<string[]>;
