import type { PostgresConfig } from '../../src/index.js';

/** The test server (DESIGN 8): 127.0.0.1:5432, trust auth, database `test`; CHATCORE_PG_URL overrides. */
export const PG_URL = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Config for tests, with a small pool. */
export function testConfig(extra: Partial<PostgresConfig> = {}): PostgresConfig {
  return { url: PG_URL, poolSize: 4, ...extra };
}
