import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';

// keys rotate limited to one repository keeps the checkpoint of the others.

const s = keyScenario('rotate-checkpoint');
const checkpoint = join(s.dir, 'chatcore.rotation.json');

test.before(async () => {
  await s.seed([{ id: 'k1', key: s.env.K1!, active: true }]);
  s.writeConfig([{ id: 'k1', env: 'K1' }, { id: 'k2', env: 'K2', active: true }]);
});

test('a checkpoint that cannot be written stops rotate before any row changes: exit 2 naming the file', async () => {
  const bad = join(s.dir, 'no-such-folder', 'rotation.json');
  const run = await s.cli(['keys', 'rotate', '--checkpoint', bad]);
  assert.is(run.code, 2, show(run));
  assert.is(run.stderr, `chatcore: Cannot write the rotation checkpoint ${bad} (ENOENT): check that its folder exists and is writable; pass --checkpoint <file> to keep it elsewhere.\n`);
  const status = jsonOf<{ keys: Array<{ id: string; values: number }> }>(await s.cli(['keys', 'status', '--json']));
  assert.equal(status.keys.map((k) => [k.id, k.values]), [['k1', 29], ['k2', 0]], 'every value is still under k1');
});

test('rotate --repository users keeps the file while notes is unfinished in it; the next run finishes and removes it', async () => {
  const unfinished = { checkpoint: null, done: false, scanned: 0, rewritten: 0 };
  writeFileSync(checkpoint, JSON.stringify({ version: 1, activeKeyId: 'k2', repositories: { users: unfinished, notes: unfinished } }));
  const one = await s.cli(['keys', 'rotate', '--repository', 'users']);
  assert.is(one.code, 0, show(one));
  assert.match(one.stdout, /users: 12 rows scanned, 24 values rewritten/);
  assert.match(one.stdout, /Still to re-encrypt: notes/);
  assert.ok(existsSync(checkpoint), 'the checkpoint of notes is kept');
  const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { activeKeyId: string; repositories: Record<string, { done: boolean }> };
  assert.is(saved.activeKeyId, 'k2');
  assert.is(saved.repositories.users!.done, true);
  assert.is(saved.repositories.notes!.done, false);

  const status = await s.cli(['keys', 'status']);
  assert.match(status.stdout, /unfinished rotation to k2/, show(status));

  const rest = jsonOf<{ repositories: Array<{ repository: string; rewritten: number; resumed: boolean }>; unfinished: string[] }>(await s.cli(['keys', 'rotate', '--json']));
  assert.equal(rest.repositories.map((r) => [r.repository, r.rewritten, r.resumed]), [['users', 0, true], ['notes', 5, true]]);
  assert.equal(rest.unfinished, []);
  assert.not.ok(existsSync(checkpoint), 'removed once every repository is done');
});

test('rotate --repository users with no checkpoint file leaves none behind', async () => {
  const run = await s.cli(['keys', 'rotate', '--repository', 'users']);
  assert.is(run.code, 0, show(run));
  assert.not.ok(existsSync(checkpoint));
});

test.after(() => s.cleanup());
test.run();
