import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { appFolder } from './helpers/app-folder.js';
import { migrateFlow } from './helpers/migrate-flow.js';
import { createEmptyDatabase } from './helpers/pglite-database.js';

// `chatcore migrate` (the built binary) on an embedded PGlite data directory.

const dir = appFolder('chatcore-cli-migrate-pglite-', (d) => ['backend: pglite', `data_dir: ${join(d, 'data')}`]);

// A new database: read-only commands (migrate status first) refuse a data_dir that does not exist yet.
test.before(() => createEmptyDatabase(join(dir, 'data')));
migrateFlow(test, dir, { K1: randomBytes(32).toString('base64') });

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
