import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// `cd packages/X && pnpm test` runs the package's "test" script with sh in the
// package folder. Run each one the same way with --list (select, do not run)
// and check that it selects exactly the package's own test files.
const root = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const packages = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'package.json'))).sort();

function testFilesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (['node_modules', 'fixtures', 'broken'].includes(entry.name)) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.test.ts')) out.push(relative(root, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

test('every package has a test script that selects exactly its own test files', () => {
  assert.ok(packages.length >= 8, `found ${packages.length} packages`);
  for (const name of packages) {
    const dir = join(root, 'packages', name);
    const script = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts?.test;
    assert.type(script, 'string', `packages/${name} has no test script`);
    // The whole selection, whatever this run's own filter (the Node 24 pass sets CHATCORE_SERVERLESS_ONLY).
    const env = { ...process.env };
    delete env.CHATCORE_SERVERLESS_ONLY;
    const run = spawnSync(`${script} --list`, { cwd: dir, shell: true, encoding: 'utf8', env });
    assert.is(run.status, 0, `packages/${name}: \`${script} --list\` exited ${run.status}: ${run.stderr}`);
    const listed = run.stdout.split('\n').filter(Boolean).sort();
    const expected = testFilesOf(join(dir, 'test'));
    assert.ok(expected.length > 0, `packages/${name} has no test files`);
    assert.equal(listed, expected, `packages/${name}`);
  }
});

test.run();
