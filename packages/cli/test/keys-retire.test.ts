import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption } from '@chatcore/encryption';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';
import { repositories } from './fixtures/protected-repositories.mjs';

// keys retire with a separate blind-index key: every encryption key can go.

const s = keyScenario('retire');
const bidx = () => `  blind_index:\n    key: \${BIDX}\n`;

test.before(async () => {
  await s.seed([{ id: 'k1', key: s.env.K1!, active: true }], { blindIndexKey: s.env.BIDX! });
  s.writeConfig([{ id: 'k1', env: 'K1' }, { id: 'k2', env: 'K2', active: true }], bidx());
  const rotate = await s.cli(['keys', 'rotate']);
  assert.is(rotate.code, 0, show(rotate));
});

test('keys add with blind_index.key does not say the first key roots the blind indexes', async () => {
  const run = await s.cli(['keys', 'add', '--id', 'k3']);
  assert.is(run.code, 0, show(run));
  assert.match(run.stdout, /Add it at the end of encryption\.keys in your chatcore\.yaml:/);
  assert.not.match(run.stdout, /roots the blind indexes/);
});

async function withDriver(run: (driver: ReturnType<typeof pglite>) => Promise<void>): Promise<void> {
  const db = createDatabase({ driver: pglite({ dataDir: s.dataDir }), repositories, plugins: [encryption({ keys: [{ id: 'k2', key: s.env.K2! }], blindIndex: { key: s.env.BIDX! } })], schemaMode: 'off' });
  await db.connect();
  try {
    await run(db.driver as ReturnType<typeof pglite>);
  } finally {
    await db.close();
  }
}

test('an unfinished migration (an interrupted rename may hold values under the key) refuses retire until it finishes', async () => {
  await withDriver((d) => d.migrations!.start('010_people_contact', 'c1'));
  const run = await s.cli(['keys', 'retire', 'k1']);
  assert.is(run.code, 1, show(run));
  assert.match(run.stdout, /Refused: migration\(s\) 010_people_contact did not finish.*Finish the migration first/);
  const status = jsonOf<{ unfinishedMigrations: string[] }>(await s.cli(['keys', 'status', '--json']));
  assert.equal(status.unfinishedMigrations, ['010_people_contact']);
  await withDriver((d) => d.migrations!.finish('010_people_contact'));
  assert.is((await s.cli(['keys', 'retire', 'k1'])).code, 0);
});

test('with blind_index.key, the first key retired is to be removed from the file (keepInConfig false)', async () => {
  const run = await s.cli(['keys', 'retire', 'k1']);
  assert.is(run.code, 0, show(run));
  assert.match(run.stdout, /Remove it from encryption\.keys in chatcore\.yaml/);
  assert.not.match(run.stdout, /keep it first/);
  const json = jsonOf<{ retired: boolean; keepInConfig: boolean }>(await s.cli(['keys', 'retire', 'k1', '--json']));
  assert.equal([json.retired, json.keepInConfig], [true, false]);
});

test('and every row reads, authenticates and is found through its blind index without k1', async () => {
  const db = createDatabase({ driver: pglite({ dataDir: s.dataDir }), repositories, plugins: [encryption({ keys: [{ id: 'k2', key: s.env.K2! }], blindIndex: { key: s.env.BIDX! } })], schemaMode: 'off' });
  await db.connect();
  try {
    assert.is((await db.users.find({ limit: 100 })).length, 12);
    assert.is((await db.users.findOne({ where: { email: 'u3@example.org' } }))?.ssn, 'ssn-3');
    assert.is((await db.notes.find({ limit: 100 })).length, 5);
  } finally {
    await db.close();
  }
});

test.after(() => s.cleanup());
test.run();
