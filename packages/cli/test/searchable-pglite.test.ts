import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pglite } from '@chatcore/pglite';
import { appFolder } from './helpers/app-folder.js';
import { createEmptyDatabase } from './helpers/pglite-database.js';
import { searchableFlow } from './helpers/searchable-flow.js';

// Encrypted fields made searchable, through the built binary, on an embedded PGlite data directory.

const dir = appFolder('chatcore-cli-searchable-pglite-', (d) => ['backend: pglite', `data_dir: ${join(d, 'data')}`]);
const dataDir = join(dir, 'data');

test.before(() => createEmptyDatabase(dataDir));
searchableFlow(test, dir, { K1: randomBytes(32).toString('base64') }, () => pglite({ dataDir }));

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
