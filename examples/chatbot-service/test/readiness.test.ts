// The public port's /readyz: the status only, never the health report's components.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createService } from '../src/service.js';
import { openDatabase } from '../src/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-readiness-'));
const config = join(dir, 'chatcore.yaml');
writeFileSync(config, [
  'database:\n  backend: memory',
  'encryption:\n  root_key: ${ROOT_KEY}\n  blind_index:\n    key: ${INDEX_KEY}',
  'metrics:\n  prefix: chatbot_',
  '',
].join('\n'));
const db = await openDatabase(config, { ROOT_KEY: randomBytes(32).toString('base64'), INDEX_KEY: randomBytes(32).toString('base64') });
await db.connect();
const service = createService(db, { log: () => undefined });
await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;

test.after(async () => {
  await service.shutdown('test');
  rmSync(dir, { recursive: true, force: true });
});

test('/readyz on the public port answers the status only, while db.health() has the components', async () => {
  const full = await db.health();
  assert.ok(full.components.length > 0, 'the report has components to hide');
  const res = await fetch(`${url}/readyz`);
  assert.is(res.status, 200);
  assert.equal(await res.json(), { status: 'up' });
  assert.is((await fetch(`${url}/healthz`)).status, 200);
});

test.run();
