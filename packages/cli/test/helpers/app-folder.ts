import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgres } from '@chatcore/postgres';
import { linkNodeModules } from './migrate-flow.js';

/**
 * A temporary application folder for the migration flows: node_modules
 * linked (generated migrations import @chatcore/migrate), and a chatcore.yaml
 * with the given `database:` lines (indented by two; a function of the folder
 * for paths inside it) and one active key k1 read from `${K1}`.
 */
export function appFolder(prefix: string, database: readonly string[] | ((dir: string) => readonly string[])): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  linkNodeModules(dir);
  const lines = typeof database === 'function' ? database(dir) : database;
  writeFileSync(join(dir, 'chatcore.yaml'), `database:
${lines.map((l) => `  ${l}`).join('\n')}
encryption:
  keys:
    - id: k1
      key: \${K1}
      active: true
`);
  return dir;
}

/**
 * A PostgreSQL database of its own on the test server, named after `prefix`:
 * its URL, and `create()` / `drop()` (drop forces out open sessions and never fails).
 */
export function scratchPostgresDatabase(prefix: string): { readonly url: string; create(): Promise<void>; drop(): Promise<void> } {
  const server = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  const admin = async (sql: string): Promise<void> => {
    const driver = postgres({ url: server });
    await driver.connect();
    try {
      await driver.executor.execute({ sql, parameters: [] });
    } finally {
      await driver.close();
    }
  };
  return {
    url: url.toString(),
    create: () => admin(`create database "${name}"`),
    drop: () => admin(`drop database if exists "${name}" with (force)`).catch(() => undefined),
  };
}
