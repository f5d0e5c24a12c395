import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pglite } from '@chatcore/pglite';
import { linkNodeModules } from './helpers/migrate-flow.js';
import { freshAuditFlow, writeFreshAuditConfig } from './helpers/fresh-audit-flow.js';

// The built binary on a new PGlite data directory with the audit outbox on.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-fresh-pglite-'));
const dataDir = join(dir, 'data');
linkNodeModules(dir);
writeFreshAuditConfig(dir, `  backend: pglite
  data_dir: ${dataDir}`);

/** The tables of the data directory (opened here while the CLI is not running). */
async function tables(): Promise<string[]> {
  const driver = pglite({ dataDir });
  await driver.connect();
  try {
    const { rows } = await driver.executor.execute({ sql: `select table_name from information_schema.tables where table_schema = 'public'`, parameters: [] });
    return rows.map((r) => String((r as Record<string, unknown>).table_name));
  } finally {
    await driver.close();
  }
}

freshAuditFlow(test, dir, { K1: randomBytes(32).toString('base64') }, tables);
test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
