import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { linkNodeModules } from './helpers/migrate-flow.js';
import { freshAuditFlow, writeFreshAuditConfig } from './helpers/fresh-audit-flow.js';

// The built binary on a new PostgreSQL database with the audit outbox on.

await requireService('postgres');
const server = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dbName = `chatcore_cli_fresh_${randomBytes(4).toString('hex')}`;
const url = new URL(server);
url.pathname = `/${dbName}`;

async function query(target: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const driver = postgres({ url: target });
  await driver.connect();
  try {
    return (await driver.executor.execute({ sql, parameters: [] })).rows as Array<Record<string, unknown>>;
  } finally {
    await driver.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-fresh-pg-'));
linkNodeModules(dir);
writeFreshAuditConfig(dir, `  backend: postgres
  url: \${DATABASE_URL}`);

test.before(() => query(server, `create database "${dbName}"`).then(() => undefined));
freshAuditFlow(test, dir, { K1: randomBytes(32).toString('base64'), DATABASE_URL: url.toString() }, (sql) => query(url.toString(), sql));
test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await query(server, `drop database if exists "${dbName}" with (force)`).catch(() => undefined);
});
test.run();
