import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pglite } from '@chatcore/pglite';
import { linkNodeModules } from './helpers/migrate-flow.js';
import { freshAuditFlow, writeFreshAuditConfig } from './helpers/fresh-audit-flow.js';
import { createEmptyDatabase } from './helpers/pglite-database.js';

// The built binary on a new PGlite data directory with the audit outbox on.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-fresh-pglite-'));
const dataDir = join(dir, 'data');
linkNodeModules(dir);
writeFreshAuditConfig(dir, `  backend: pglite
  data_dir: ${dataDir}`);

/** Rows of a statement on the data directory (opened here while the CLI is not running). */
async function query(sql: string): Promise<Array<Record<string, unknown>>> {
  const driver = pglite({ dataDir });
  await driver.connect();
  try {
    return (await driver.executor.execute({ sql, parameters: [] })).rows as Array<Record<string, unknown>>;
  } finally {
    await driver.close();
  }
}

// A new database: read-only commands refuse a data_dir that does not exist yet (see read-only-pglite).
test.before(() => createEmptyDatabase(dataDir));
freshAuditFlow(test, dir, { K1: randomBytes(32).toString('base64') }, query);
test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
