import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// Test files run in parallel (scripts/test.mjs, CHATCORE_TEST_CONCURRENCY): two files that create a
// throw-away cluster under one name or on one port drop or block each other's server.
const root = fileURLToPath(new URL('../../..', import.meta.url));

function testFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) testFiles(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function clusterCalls(): Array<{ file: string; name: string; port: number }> {
  const calls: Array<{ file: string; name: string; port: number }> = [];
  for (const base of ['packages', 'examples']) {
    for (const pkg of readdirSync(join(root, base))) {
      const dir = join(root, base, pkg, 'test');
      if (!existsSync(dir)) continue;
      for (const file of testFiles(dir)) {
        for (const m of readFileSync(file, 'utf8').matchAll(/createCluster\('([^']+)',\s*(\d+)/g)) {
          calls.push({ file: relative(root, file), name: m[1]!, port: Number(m[2]) });
        }
      }
    }
  }
  return calls;
}

test('every test file that creates a cluster uses a name and a port of its own', () => {
  const calls = clusterCalls();
  assert.ok(calls.length >= 10, `found ${calls.length} createCluster calls`);
  for (const key of ['name', 'port'] as const) {
    const seen = new Map<string | number, string>();
    for (const call of calls) {
      const other = seen.get(call[key]);
      assert.not.ok(other, `${call.file} and ${other} both create a cluster with ${key} ${call[key]}`);
      seen.set(call[key], call.file);
    }
  }
});

test.run();
