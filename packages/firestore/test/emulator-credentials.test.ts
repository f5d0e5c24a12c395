import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { useFirestoreEmulator } from '../src/testing/index.js';

// The emulator takes no Google credentials: the driver must not look for
// them (application default credentials probe the GCE metadata server, and
// off Google Cloud Node prints a MetadataLookupWarning on every start).
// The test helper sets METADATA_SERVER_DETECTION=none, which hides this, so
// the child runs without it.
const emulator = await useFirestoreEmulator();
const child = fileURLToPath(new URL('./helpers/emulator-child.ts', import.meta.url));

function run(how: 'explicit' | 'env'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.METADATA_SERVER_DETECTION;
  if (how === 'explicit') delete env.FIRESTORE_EMULATOR_HOST;
  else env.FIRESTORE_EMULATOR_HOST = emulator.host;
  const proc = spawn(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', child, emulator.host, how], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
}

for (const how of ['explicit', 'env'] as const) {
  test(`emulator through ${how === 'explicit' ? 'emulatorHost' : 'FIRESTORE_EMULATOR_HOST'}: works without looking for Google credentials`, async () => {
    const result = await run(how);
    const what = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
    assert.is(result.code, 0, what);
    assert.match(result.stdout, /RESULT hello/, what);
    assert.not.match(result.stderr, /MetadataLookupWarning|metadata/i, what);
  });
}

test.after(() => emulator.stop());
test.run();
