import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MigrationError } from '@chatcore/core';
import { defineMigration, type Migration } from './define-migration.js';

/**
 * Where migrations come from: a directory of modules (each default-exports
 * `defineMigration(...)`, applied in file-name order), or a list.
 *
 * @example
 * ```ts
 * const source: MigrationSource = { dir: './migrations' };
 * const inline: MigrationSource = { migrations: [m001, m002] };
 * ```
 */
export type MigrationSource = { readonly dir: string } | { readonly migrations: readonly Migration[] };

const MODULE_RE = /\.(ts|mts|js|mjs)$/;

/**
 * Load migrations, in order, refusing two with the same id. A directory
 * that does not exist holds none.
 *
 * @example
 * ```ts
 * const list = await loadMigrations({ dir: './migrations' });
 * ```
 */
export async function loadMigrations(source: MigrationSource): Promise<Migration[]> {
  let list: Migration[];
  if ('migrations' in source) list = source.migrations.map((m) => defineMigration(m));
  else {
    const dir = resolve(source.dir);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => MODULE_RE.test(n) && !n.endsWith('.d.ts')).sort();
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') return [];
      throw new MigrationError(`Cannot read the migrations directory ${dir}: ${(err as Error).message}`, { cause: err, info: { dir } });
    }
    list = [];
    for (const name of names) {
      const mod = (await import(pathToFileURL(join(dir, name)).href)) as { default?: Migration };
      if (!mod.default) throw new MigrationError(`${name} has no default export: write export default defineMigration({ id, up(m) { ... } }).`, { info: { file: name } });
      list.push(defineMigration(mod.default));
    }
  }
  const seen = new Set<string>();
  for (const m of list) {
    if (seen.has(m.id)) throw new MigrationError(`Two migrations have the id ${m.id}; ids must be unique.`, { info: { id: m.id } });
    seen.add(m.id);
  }
  return list;
}
