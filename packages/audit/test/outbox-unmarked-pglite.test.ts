import { test } from 'uvu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerOutboxUnmarked } from './helpers/outbox-unmarked.js';

let dir: string | undefined;
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'audit-unmarked-')); });
test.after(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });
registerOutboxUnmarked('pglite', () => dir && join(dir, 'pg'));
