import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@chatcore/core';
import type { Driver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { firestore } from '@chatcore/firestore';
import { encryption, type KeyOption } from '@chatcore/encryption';
import { runCli, type CliRun } from './run-cli.js';
import { repositories } from '../fixtures/protected-repositories.mjs';

const MODULE = join(fileURLToPath(import.meta.url), '..', '..', 'fixtures', 'protected-repositories.mjs');

/** One key as the tests write it into chatcore.yaml: its id, its variable, active or not. */
export interface TestKey {
  readonly id: string;
  readonly env: string;
  readonly active?: boolean;
}

/** A Firestore project of the scenario's own on the emulator, instead of a PGlite data directory. */
export interface ScenarioFirestore {
  readonly projectId: string;
  readonly emulatorHost: string;
}

/**
 * A PGlite data directory (or, with `firestore`, a project on the emulator)
 * of two protected repositories (users, sealed notes), seeded in this
 * process, and a chatcore.yaml the tests rewrite to misconfigure the keys
 * the CLI runs with. `repositoriesModule` gives the CLI another fixture
 * (then seed the data directory with it yourself).
 */
export function keyScenario(name: string, options: { repositoriesModule?: string; firestore?: ScenarioFirestore } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `chatcore-cli-${name}-`));
  const dataDir = join(dir, 'data');
  const env: Record<string, string> = { CHATCORE_REPOSITORIES: options.repositoriesModule ?? MODULE };
  for (const v of ['K1', 'K2', 'K3', 'BIDX']) env[v] = randomBytes(32).toString('base64');
  const fs = options.firestore;
  const database = fs ? `  backend: firestore\n  project_id: ${fs.projectId}\n  emulator_host: ${fs.emulatorHost}` : `  backend: pglite\n  data_dir: ${dataDir}`;
  const driver = (): Driver => (fs ? firestore({ projectId: fs.projectId, emulatorHost: fs.emulatorHost }) : pglite({ dataDir }));

  function writeConfig(keys: readonly TestKey[], extra = ''): void {
    const lines = keys.map((k) => `    - id: ${k.id}\n      key: \${${k.env}}${k.active ? '\n      active: true' : ''}`);
    writeFileSync(join(dir, 'chatcore.yaml'), `database:\n${database}\nencryption:\n  keys:\n${lines.join('\n')}\n${extra}`);
  }

  /** Create the tables and rows with these keys, raw or passphrase (the CLI must not be running). */
  async function seed(keys: readonly KeyOption[], options: { users?: number; notes?: number; blindIndexKey?: string } = {}): Promise<void> {
    const db = createDatabase({ driver: driver(), repositories, plugins: [encryption({ keys, ...(options.blindIndexKey ? { blindIndex: { key: options.blindIndexKey } } : {}) })], schemaMode: 'apply' });
    await db.connect();
    try {
      await db.users.createMany(Array.from({ length: options.users ?? 12 }, (_, i) => ({ name: `u${i}`, email: `u${i}@example.org`, ssn: `ssn-${i}` })));
      await db.notes.createMany(Array.from({ length: options.notes ?? 5 }, (_, i) => ({ owner: `o${i % 2}`, body: `body ${i}` })));
    } finally {
      await db.close();
    }
  }

  const cli = (args: string[]): Promise<CliRun> => runCli(args, { cwd: dir, env });
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  return { dir, dataDir, env, writeConfig, seed, cli, cleanup };
}
