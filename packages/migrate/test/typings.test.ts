import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const project = fileURLToPath(new URL('./typings/tsconfig.json', import.meta.url));

test('migration steps are typed from the repository: wrong fields, value types and missing converters do not compile', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  assert.is(`${run.stdout}${run.stderr}`.trim(), '', 'tsc reports nothing: every @ts-expect-error line is an error, every other line compiles');
  assert.is(run.status, 0);
});

test.run();
