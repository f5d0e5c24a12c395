#!/usr/bin/env node
// Runs every test file of the workspace, each in its own Node process (so an
// open handle in one file cannot hang the rest), two at a time, with a
// per-file timeout. Prints one line per file, the tiers skipped for a missing
// service, and the final `N passed, N failed` line that CI reads.
//
// Usage: node scripts/test.mjs [--list] [substring ...]
//   --list prints the selected files (one path from the root a line) instead of running them
//   a substring selects the files whose path (from the repository root) contains it;
//   each package's `pnpm test` runs `node ../../scripts/test.mjs packages/<name>/`
//   CHATCORE_REQUIRE_SERVICES=1  a missing PostgreSQL/Redis/Firestore fails instead of skipping
//   CHATCORE_TEST_CONCURRENCY    files run at once (default 2)
//   CHATCORE_TEST_TIMEOUT        seconds per file (default 600)
//   CHATCORE_SERVERLESS_ONLY=1   only files that need no server (used for the Node 24 pass)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const listOnly = process.argv.includes('--list');
const filters = process.argv.slice(2).filter((a) => a !== '--list');
const concurrency = Number(process.env.CHATCORE_TEST_CONCURRENCY ?? 2);
const timeoutSec = Number(process.env.CHATCORE_TEST_TIMEOUT ?? 600);
const serverlessOnly = process.env.CHATCORE_SERVERLESS_ONLY === '1';

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name === 'broken') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const dirs = [];
for (const base of ['packages', 'examples']) {
  const b = join(root, base);
  if (!existsSync(b)) continue;
  for (const pkg of readdirSync(b).sort()) dirs.push(join(b, pkg, 'test'));
}
let files = dirs.flatMap((d) => walk(d).sort());
if (filters.length) files = files.filter((f) => filters.some((x) => relative(root, f).includes(x)));
if (serverlessOnly) files = files.filter((f) => !/requireService\(|useFirestoreEmulator\(/.test(readFileSync(f, 'utf8')));
if (files.length === 0 && !serverlessOnly) {
  // A mistyped filter (or a package script pointing at the wrong folder) must not pass quietly.
  console.log(`no test file matches ${filters.map((x) => JSON.stringify(x)).join(' or ')}\n\n0 passed, 1 failed`);
  process.exit(1);
}
if (listOnly) {
  for (const f of files) console.log(relative(root, f));
  process.exit(0);
}
const results = [];
let passed = 0, failed = 0, skippedFiles = 0;
const skips = [];

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', file], {
      cwd: join(file, '..', '..'),
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => { out += `\n[test runner] timed out after ${timeoutSec}s\n`; child.kill('SIGKILL'); }, timeoutSec * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ file, code, out, ms: Date.now() - started });
    });
  });
}

function account(r) {
  const rel = relative(root, r.file);
  const total = Number(/Total:\s+(\d+)/.exec(r.out)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(r.out)?.[1] ?? 0);
  const skip = Number(/Skipped:\s+(\d+)/.exec(r.out)?.[1] ?? 0); // not in uvu's Total
  const skipLine = /CHATCORE_SKIP (.*)/.exec(r.out)?.[1];
  if (skipLine && r.code === 0 && total === 0) {
    skippedFiles++;
    skips.push(`${rel}: ${skipLine}`);
    console.log(`SKIP ${rel} (${skipLine})`);
    return;
  }
  let bad = total - ok + skip; // a skipped test is not a pass
  if (r.code !== 0 && bad === 0) bad = 1; // crashed, timed out, or failed outside a test
  if (total + skip === 0 && r.code === 0) bad = 1; // a test file that ran no test
  passed += ok;
  failed += bad;
  const status = bad ? 'FAIL' : 'ok  ';
  console.log(`${status} ${rel}  ${ok}/${total + skip}${skip ? ` (${skip} skipped)` : ''} (${(r.ms / 1000).toFixed(1)}s)`);
  if (bad) console.log(r.out.split('\n').map((l) => '    ' + l).join('\n'));
}

const queue = [...files];
async function worker() {
  while (queue.length) {
    const file = queue.shift();
    account(await runFile(file));
  }
}
await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));

if (skips.length) {
  console.log(`\n${skippedFiles} test file(s) skipped because a service is not running (CI sets CHATCORE_REQUIRE_SERVICES=1 and starts them):`);
  for (const s of skips) console.log(`  - ${s}`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
