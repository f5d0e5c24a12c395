import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { requireService } from '@chatcore/core/testing';
import { appFolder, scratchPostgresDatabase } from './helpers/app-folder.js';
import { migrateFlow } from './helpers/migrate-flow.js';

// `chatcore migrate` (the built binary) on PostgreSQL, in a database of its own.

await requireService('postgres');
const database = scratchPostgresDatabase('chatcore_cli_migrate');
const dir = appFolder('chatcore-cli-migrate-pg-', ['backend: postgres', 'url: ${DATABASE_URL}', 'connection_pool_size: 4']);

test.before(() => database.create());
migrateFlow(test, dir, { K1: randomBytes(32).toString('base64'), DATABASE_URL: database.url });
test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});
test.run();
