// The service as the Docker image runs it: deployed with `pnpm deploy --prod`,
// started from that folder on the embedded database (PGlite).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deployService, devOnlyPackagesIn, freshKeys, linksLeavingFolder, startService, type RunningService } from './helpers/deployed-service.js';
import { assertDrainOnSigterm, assertErrorAnswers, assertReady, assertSmoke, assertSmokeCounted } from './helpers/service-scenario.js';

const deployed = deployService();
console.log(`  pnpm deploy --prod (after tsc -b): ${deployed.ms} ms`);
const dataDir = join(deployed.dir, '..', 'state');
mkdirSync(dataDir);
const auditDir = join(dataDir, 'audit');
let service: RunningService | undefined;

test('the deployed folder holds production dependencies only, and no link out of it', () => {
  assert.equal(devOnlyPackagesIn(deployed.dir), []);
  assert.equal(linksLeavingFolder(deployed.dir), []);
});

test('started from the deployed folder on PGlite, /readyz answers 200 with the whole stack up, /metrics on its own port only', async () => {
  service = await startService(deployed.dir, {
    ...freshKeys(),
    CHATCORE_CONFIG: 'chatcore.pglite.yaml',
    CHATCORE_DATA_DIR: join(dataDir, 'pglite'),
    CHATCORE_AUDIT_DIR: auditDir,
    METRICS_PORT: '0', // a free port; METRICS_HOST stays at its default, 127.0.0.1
  });
  await assertReady(service, 'pglite');
});

test('the smoke script creates a user, a conversation and 50 messages and pages them back', async () => {
  await assertSmoke(service!, deployed.dir);
});

test('the metrics port counts the smoke\'s calls; the public port still answers 404 for /metrics', async () => {
  await assertSmokeCounted(service!);
  assert.is((await fetch(`${service!.url}/metrics`)).status, 404);
});

test('bad input answers 400 with the error code, unknown ids 404, conflicts 409', async () => {
  await assertErrorAnswers(service!);
});

test('SIGTERM with 16 requests in flight: all answered, exit 0, the audit trail verifies', async () => {
  await assertDrainOnSigterm(service!, auditDir);
});

test.after(() => {
  if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
  deployed.remove();
});

test.run();
