import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const project = fileURLToPath(new URL('./typings/tsconfig.json', import.meta.url));

// The written-query scenario states each table's columns, data types and
// nullability twice: as information_schema must show them (checked at run
// time) and typed by the escape hatch's row types (checked here).
test('the column specs of the written-query scenario agree with the storage row types', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { encoding: 'utf8' });
  assert.is(`${run.stdout}${run.stderr}`.trim(), '', 'tsc reports nothing');
  assert.is(run.status, 0);
});

test.run();
