import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { linkNodeModules } from './helpers/migrate-flow.js';
import { searchableFlow } from './helpers/searchable-flow.js';

// Encrypted fields made searchable, through the built binary, on PostgreSQL in a database of its own.

await requireService('postgres');
const server = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dbName = `chatcore_cli_searchable_${randomBytes(4).toString('hex')}`;
const url = new URL(server);
url.pathname = `/${dbName}`;

async function admin(sql: string): Promise<void> {
  const driver = postgres({ url: server });
  await driver.connect();
  try {
    await driver.executor.execute({ sql, parameters: [] });
  } finally {
    await driver.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-searchable-pg-'));
linkNodeModules(dir);
writeFileSync(join(dir, 'chatcore.yaml'), `database:
  backend: postgres
  url: \${DATABASE_URL}
encryption:
  keys:
    - id: k1
      key: \${K1}
      active: true
`);

test.before(() => admin(`create database "${dbName}"`));
searchableFlow(test, dir, { K1: randomBytes(32).toString('base64'), DATABASE_URL: url.toString() }, () => postgres({ url: url.toString() }));
test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await admin(`drop database if exists "${dbName}" with (force)`).catch(() => undefined);
});
test.run();
