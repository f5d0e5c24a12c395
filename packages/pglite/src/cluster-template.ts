import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * The default directory of the cluster template: `$XDG_CACHE_HOME/chatcore`,
 * else `~/.cache/chatcore`.
 *
 * @example
 * ```ts
 * pglite({ templateCache: defaultTemplateCache() });
 * ```
 */
export function defaultTemplateCache(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'chatcore');
}

let pgliteVersion: string | undefined;

/** The installed PGlite's version: a template made by another version is never loaded. */
function versionOfPglite(): string {
  if (pgliteVersion === undefined) {
    // The package's exports hide package.json; it sits one level above dist/.
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
    const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: unknown };
    pgliteVersion = typeof manifest.version === 'string' ? manifest.version.replace(/[^0-9A-Za-z.+-]/g, '_') : 'unknown';
  }
  return pgliteVersion;
}

/**
 * The template file for the installed PGlite in `cacheDir`.
 *
 * @example
 * ```ts
 * templateFile('/home/me/.cache/chatcore'); // '/home/me/.cache/chatcore/pglite-0.4.6-cluster.tar'
 * ```
 */
export function templateFile(cacheDir: string): string {
  return join(cacheDir, `pglite-${versionOfPglite()}-cluster.tar`);
}

/**
 * Start an in-memory PGlite. A new PGlite runs initdb in a second WebAssembly
 * instance before it starts, about three quarters of its start-up CPU time.
 * The result is the same for every in-memory database of one PGlite version,
 * so the first start saves it (a tar of the fresh data directory) in
 * `cacheDir`, and later starts load it instead. A template that cannot be
 * read or loaded is deleted and the start falls back to initdb; a cache
 * directory that cannot be written only costs the speed-up.
 *
 * @example
 * ```ts
 * const pg = await startInMemory(defaultTemplateCache());
 * ```
 */
export async function startInMemory(cacheDir: string | false, options: PGliteOptions = {}): Promise<PGlite> {
  if (cacheDir === false) return PGlite.create(options);
  const file = templateFile(cacheDir);
  const tar = await readFile(file).catch(() => undefined);
  if (tar) {
    try {
      return await PGlite.create({ ...options, loadDataDir: new Blob([tar], { type: 'application/x-tar' }) });
    } catch {
      await rm(file, { force: true }).catch(() => undefined);
    }
  }
  const pg = await PGlite.create(options);
  // Before the caller's first statement, the data directory is exactly what initdb made.
  await saveTemplate(pg, file).catch(() => undefined);
  return pg;
}

async function saveTemplate(pg: PGlite, file: string): Promise<void> {
  // Nothing left in the WAL to replay when a copy starts (PGlite's clone() copies a running instance the same way).
  await pg.exec('checkpoint');
  const tar = new Uint8Array(await (await pg.dumpDataDir('none')).arrayBuffer());
  await mkdir(dirname(file), { recursive: true });
  // Written aside, then renamed: a concurrent start reads a whole template or none.
  const partial = `${file}.${process.pid}.${Date.now().toString(36)}.partial`;
  try {
    await writeFile(partial, tar, { mode: 0o600 });
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}
