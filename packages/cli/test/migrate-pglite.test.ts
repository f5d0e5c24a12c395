import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkNodeModules, migrateFlow } from './helpers/migrate-flow.js';
import { createEmptyDatabase } from './helpers/pglite-database.js';

// `chatcore migrate` (the built binary) on an embedded PGlite data directory.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-migrate-pglite-'));
linkNodeModules(dir);
writeFileSync(join(dir, 'chatcore.yaml'), `database:
  backend: pglite
  data_dir: ${join(dir, 'data')}
encryption:
  keys:
    - id: k1
      key: \${K1}
      active: true
`);

// A new database: read-only commands (migrate status first) refuse a data_dir that does not exist yet.
test.before(() => createEmptyDatabase(join(dir, 'data')));
migrateFlow(test, dir, { K1: randomBytes(32).toString('base64') });

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
