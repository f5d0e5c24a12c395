import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pglite } from '@chatcore/pglite';
import { linkNodeModules } from './helpers/migrate-flow.js';
import { createEmptyDatabase } from './helpers/pglite-database.js';
import { searchableFlow } from './helpers/searchable-flow.js';

// Encrypted fields made searchable, through the built binary, on an embedded PGlite data directory.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-searchable-pglite-'));
const dataDir = join(dir, 'data');
linkNodeModules(dir);
writeFileSync(join(dir, 'chatcore.yaml'), `database:
  backend: pglite
  data_dir: ${dataDir}
encryption:
  keys:
    - id: k1
      key: \${K1}
      active: true
`);

test.before(() => createEmptyDatabase(dataDir));
searchableFlow(test, dir, { K1: randomBytes(32).toString('base64') }, () => pglite({ dataDir }));

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
