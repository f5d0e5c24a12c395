import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption } from '@chatcore/encryption';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';
import { peopleBeforeRename } from './fixtures/people-rename.mjs';

// The next release's repositories (email renamed to contact) before its
// migration ran: an operator runs the key commands with the new code first.
// They refuse, naming the missing columns and the fix, and change nothing.

const MODULE = join(fileURLToPath(import.meta.url), '..', 'fixtures', 'people-rename.mjs');
const s = keyScenario('behind', { repositoriesModule: MODULE });

async function storedRows(): Promise<Array<Record<string, unknown>>> {
  const db = createDatabase({ driver: pglite({ dataDir: s.dataDir }), repositories: { people: peopleBeforeRename }, plugins: [encryption({ keys: [{ id: 'k1', key: s.env.K1! }] })], schemaMode: 'off' });
  await db.connect();
  try {
    return await db.driver.query(db.schemas.get('people')!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  } finally {
    await db.close();
  }
}

test.before(async () => {
  const db = createDatabase({ driver: pglite({ dataDir: s.dataDir }), repositories: { people: peopleBeforeRename }, plugins: [encryption({ keys: [{ id: 'k1', key: s.env.K1! }] })], schemaMode: 'apply' });
  await db.connect();
  await db.people.createMany(Array.from({ length: 6 }, (_, i) => ({ name: `p${i}`, email: `p${i}@example.org` })));
  await db.close();
  s.writeConfig([{ id: 'k1', env: 'K1' }, { id: 'k2', env: 'K2', active: true }]);
});

test('keys verify, status, rotate and retire with repositories ahead of the database refuse with SCHEMA, naming the columns', async () => {
  const before = await storedRows();
  for (const args of [['keys', 'verify'], ['keys', 'status'], ['keys', 'rotate'], ['keys', 'retire', 'k1']]) {
    const run = await s.cli(args);
    assert.is(run.code, 1, show(run));
    assert.match(run.stderr, /The database is behind the repositories: columns people\.contact, people\.contact_bidx do not exist\. Run `chatcore migrate up`/, show(run));
    assert.not.match(run.stderr, /SQLSTATE/, show(run));
  }
  const body = jsonOf<{ ok: boolean; error: { code: string } }>(await s.cli(['keys', 'rotate', '--json']));
  assert.equal([body.ok, body.error.code], [false, 'SCHEMA']);
  assert.equal(await storedRows(), before, 'no row changed');
  assert.not.ok(existsSync(join(s.dir, 'chatcore.rotation.json')), 'no checkpoint written');
});

test.after(() => s.cleanup());
test.run();
