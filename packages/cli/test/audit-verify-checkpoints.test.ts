import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appFolder } from './helpers/app-folder.js';
import { FIXTURE_REPOSITORIES, jsonOf, runCli, show } from './helpers/run-cli.js';

// `chatcore audit verify` (the built binary) of a file trail whose configured checkpoint file
// does not exist: the state of the data (no checkpoint written yet, or the file removed), not
// a usage error. The trail is verified against no checkpoint at all.

const dir = appFolder('chatcore-cli-audit-cps-', ['backend: memory']);
appendFileSync(join(dir, 'chatcore.yaml'), 'audit:\n  sinks:\n    file: audit.log\n  checkpoints:\n    file: audit.checkpoints\n    every: 5\n');
const [log, checkpoints] = [join(dir, 'audit.log'), join(dir, 'audit.checkpoints')];
const cli = (args: string[]) => runCli(args, { cwd: dir, env: { K1: randomBytes(32).toString('base64'), CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES } });

interface Report {
  readonly ok: boolean;
  readonly warnings: string[];
  readonly problem?: { kind: string; stream?: string };
  readonly error?: { code: string };
}

const MISSING = /^the checkpoint file .*audit\.checkpoints \(audit\.checkpoints\.file\) does not exist: no checkpoint vouches for this trail/;

test('a configured checkpoint file that does not exist: verified against none, a warning, exit 1 only for an unanchored closed stream', async () => {
  const health = await cli(['health']);
  assert.is(health.code, 0, show(health));
  const intact = await cli(['audit', 'verify', '--json']);
  assert.equal([intact.code, jsonOf<Report>(intact).warnings], [0, []], show(intact));

  // The file removed: the closed stream is one no checkpoint records (a writer with checkpoints writes one at close).
  rmSync(checkpoints);
  const closed = await cli(['audit', 'verify', '--json']);
  assert.is(closed.code, 1, show(closed));
  const report = jsonOf<Report>(closed);
  assert.is(report.error, undefined, show(closed));
  assert.is(report.problem?.kind, 'unanchored', show(closed));
  assert.match(report.warnings[0]!, MISSING);
  const text = await cli(['audit', 'verify']);
  assert.is(text.code, 1, show(text));
  assert.match(text.stdout, /^Audit trail BROKEN at seq 1 \(unanchored; /);
  assert.match(text.stdout, /^ {2}warning: the checkpoint file .* does not exist: no checkpoint vouches for this trail/m);

  // A writer before its first checkpoint: its stream has not closed. Intact, with the warnings.
  writeFileSync(log, readFileSync(log, 'utf8').trim().split('\n').slice(0, -1).join('\n') + '\n');
  const open = await cli(['audit', 'verify', '--json']);
  assert.is(open.code, 0, show(open));
  const warnings = jsonOf<Report>(open).warnings;
  assert.is(warnings.length, 2, show(open));
  assert.match(warnings[0]!, MISSING);
  assert.match(warnings[1]!, /has no checkpoint and no stream_closed/);
  const openText = await cli(['audit', 'verify']);
  assert.is(openText.code, 0, show(openText));
  assert.match(openText.stdout, /^Audit trail intact: 1 event\(s\) from .*\n {2}stream \S+: seq 1\.\.1, no checkpoint\n {2}warning: the checkpoint file /);
  assert.not.ok(existsSync(checkpoints), 'verify writes no checkpoint');

  // A checkpoint file named on the command line that does not exist is still a usage error.
  const named = await cli(['audit', 'verify', '--checkpoints', 'no-such.checkpoints']);
  assert.is(named.code, 2, show(named));
  assert.match(named.stderr, /The checkpoint file .*no-such\.checkpoints does not exist/);
});

test('a line that is no audit event is named by its place, not by a seq it does not have', async () => {
  appendFileSync(log, 'not an event\n');
  const lines = readFileSync(log, 'utf8').trim().split('\n').length;
  const text = await cli(['audit', 'verify']);
  assert.is(text.code, 1, show(text));
  assert.match(text.stdout, new RegExp(`^Audit trail BROKEN \\(malformed; .*audit\\.log:${lines}\\): not an audit event`));
  assert.not.match(text.stdout, /seq \?/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
