import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { appFolder, scratchPostgresDatabase } from './helpers/app-folder.js';
import { searchableFlow } from './helpers/searchable-flow.js';

// Encrypted fields made searchable, through the built binary, on PostgreSQL in a database of its own.

await requireService('postgres');
const database = scratchPostgresDatabase('chatcore_cli_searchable');
const dir = appFolder('chatcore-cli-searchable-pg-', ['backend: postgres', 'url: ${DATABASE_URL}']);

test.before(() => database.create());
searchableFlow(test, dir, { K1: randomBytes(32).toString('base64'), DATABASE_URL: database.url }, () => postgres({ url: database.url }));
test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});
test.run();
