import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BROKEN_VARIANTS, CONTROL_VARIANT } from './broken/broken-drivers.js';

// Each broken memory-driver variant runs the whole conformance suite in its
// own Node process (as a real driver's test file would); the suite must
// report failures for each, in the group that covers the fault, while the
// correct driver passes everything.
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The suite groups each fault may fail: the first must catch it, the others
 * are where its effect also shows (a paging fault breaks paged includes).
 * A variant failing any other group (aggregates, say, for a paging fault)
 * means the variant is broken in more ways than it claims, or the suite
 * fails where it should not: either way, a variant shows a fault only if it
 * fails where expected and nowhere else.
 */
const EXPECTED_GROUPS: Record<string, readonly string[]> = {
  'cursor-ignores-ties': ['keyset paging', 'crud', 'projections', 'relations and include'],
  'cursor-inclusive': ['keyset paging', 'crud', 'projections', 'relations and include'],
  'upsert-always-created': ['crud', 'unique constraints', 'referential integrity'],
  'version-check-skipped': ['versions, timestamps and increments', 'transactions', 'increments within declared bounds'],
  'offset-before-filter': ['ordering and offset'],
  'nulls-ordered-wrongly': ['ordering and offset', 'crud', 'keyset paging', 'projections', 'relations and include', 'relations across in chunks', 'text, array and distinct filters'],
  'update-many-ignores-filter': ['crud', 'referential integrity', 'values no backend can store', 'versions, timestamps and increments', 'increments within declared bounds', 'null tests on json, bytes and array fields'],
  'negation-matches-nulls': ['filters', 'relations and include', 'relations across in chunks', 'text, array and distinct filters'],
  'transaction-without-rollback': ['transactions', 'referential integrity', 'relations and include', 'transaction misuse', 'increments within declared bounds', 'increments past the storage type'],
  'session-usable-after-transaction': ['transaction misuse'],
  'astral-strings-mangled': ['strings and timestamps', 'field types', 'keyset paging', 'string lengths in characters'],
  'timestamps-before-year-100-shifted': ['strings and timestamps'],
  'strings-by-code-unit': ['ordering and offset', 'filters', 'keyset paging', 'relations and include', 'relations across in chunks', 'text, array and distinct filters'],
  'reads-share-stored-rows': ['field types', 'relations and include', 'relations across in chunks'],
};

interface SuiteRun {
  readonly code: number | null;
  readonly total: number;
  readonly passed: number;
  readonly failedGroups: ReadonlySet<string>;
  readonly output: string;
}

/**
 * A child that prints nothing for this long is hung (a suite test that never
 * settles) and is killed. The limit is on silence, not on the whole run:
 * uvu prints a mark per test, so a child that is only slow (fifteen of them
 * share two cores with whatever else the machine runs) keeps going. At load
 * average 40 on two cores each child ran for about 330 s, with up to 150 s
 * of silence (the start, before the first suite).
 */
const SILENCE_LIMIT_MS = 480_000;

function runVariant(variant: string): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', 'test/broken/run-variant.ts', variant], {
      cwd: packageDir,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        output += `\n[killed after ${SILENCE_LIMIT_MS / 1000} s without output]\n`;
        child.kill('SIGKILL');
      }, SILENCE_LIMIT_MS);
    };
    watch();
    child.stdout.on('data', (d) => { output += d; watch(); });
    child.stderr.on('data', (d) => { output += d; watch(); });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const failedGroups = new Set([...output.matchAll(/FAIL\s+\S+: ([^"]+?)\s+"/g)].map((m) => m[1]!.trim()));
      resolve({
        code,
        total: Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0),
        passed: Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0),
        failedGroups,
        output,
      });
    });
  });
}

// Start every run at once (two at a time would halve the wall time on two
// cores; the runs are short), and let each test await its own.
const runs = new Map<string, Promise<SuiteRun>>();
for (const variant of [CONTROL_VARIANT, ...Object.keys(BROKEN_VARIANTS)]) runs.set(variant, runVariant(variant));

test('every broken variant has its expected groups', () => {
  assert.equal(Object.keys(EXPECTED_GROUPS).sort(), Object.keys(BROKEN_VARIANTS).sort());
});

test('the correct memory driver passes the whole conformance suite in a child process', async () => {
  const run = await runs.get(CONTROL_VARIANT)!;
  assert.ok(run.total > 100, `the suite ran (${run.total} tests)\n${run.output.slice(-2000)}`);
  assert.is(run.passed, run.total, run.output.slice(-4000));
  assert.is(run.code, 0);
});

for (const variant of Object.keys(BROKEN_VARIANTS)) {
  const [catching, ...also] = EXPECTED_GROUPS[variant]!;
  test(`the conformance suite fails on the broken variant "${variant}", in the ${catching} group and only where expected`, async () => {
    const run = await runs.get(variant)!;
    assert.ok(run.total > 100, `the suite ran (${run.total} tests)\n${run.output.slice(-2000)}`);
    const failures = run.total - run.passed;
    assert.ok(failures > 0, `expected failures, but all ${run.total} tests passed`);
    const failed = [...run.failedGroups];
    assert.ok(run.failedGroups.has(catching!), `failing groups: ${failed.join(', ')}`);
    const unexpected = failed.filter((g) => g !== catching && !also.includes(g));
    assert.equal(unexpected, [], `groups failing beyond the expected ones (${[catching, ...also].join(', ')})\n${run.output.slice(-4000)}`);
    assert.is.not(run.code, 0, 'the child process exits non-zero');
    console.log(`    ${variant}: ${failures} of ${run.total} conformance tests fail (groups: ${failed.join('; ')})`);
  });
}

test.run();
