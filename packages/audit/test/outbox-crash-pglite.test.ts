import { test } from 'uvu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerOutboxCrash } from './helpers/outbox-crash.js';

let dir: string | undefined;
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'audit-outbox-')); });
test.after(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });
registerOutboxCrash('pglite', () => dir && join(dir, 'pg'));
