import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyRepositoryDef, RepositoryMap } from '@chatcore/core';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isRepositoryDef(v: unknown): v is AnyRepositoryDef {
  return isRecord(v) && typeof v.name === 'string' && isRecord(v.fields) && isRecord(v.schema) && typeof v.schema.table === 'string';
}

function asMap(v: unknown): RepositoryMap | undefined {
  if (!isRecord(v)) return undefined;
  const entries = Object.entries(v);
  return entries.length > 0 && entries.every(([, d]) => isRepositoryDef(d)) ? (v as RepositoryMap) : undefined;
}

/**
 * Import the module that exports the application's repositories and return
 * them as a map. The module may export `repositories` (a map, as passed to
 * `createDatabase`), a default export that is such a map, or the repository
 * definitions as named exports. A relative path is resolved from `cwd`; a
 * bare name is imported as a package. Use the built JavaScript (Node does not
 * import TypeScript by itself).
 *
 * @example
 * ```ts
 * const repositories = await loadRepositories('./dist/schema.js');
 * Object.keys(repositories); // ['users', 'conversations', 'messages']
 * ```
 */
export async function loadRepositories(specifier: string, cwd: string = process.cwd()): Promise<RepositoryMap> {
  const local = specifier.startsWith('.') || isAbsolute(specifier);
  const path = local ? resolve(cwd, specifier) : undefined;
  if (path && !existsSync(path)) {
    throw new CliError(`The repositories module ${path} does not exist: pass --repositories <module> (the built .js file that exports your repositories).`, { code: 'REPOSITORIES' });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path ? pathToFileURL(path).href : specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`Could not import the repositories module ${specifier}: ${error instanceof Error ? error.message : String(error)}`, { code: 'REPOSITORIES', cause: error });
  }
  const map = asMap(mod.repositories) ?? asMap(mod.default);
  if (map) return map;
  const named = Object.fromEntries(Object.entries(mod).filter(([, v]) => isRepositoryDef(v)));
  if (Object.keys(named).length > 0) return named as RepositoryMap;
  throw new CliError(`The module ${specifier} exports no repositories: export \`repositories\` (the map you pass to createDatabase), a default map, or the defineRepository() results.`, { code: 'REPOSITORIES', exitCode: EXIT.USAGE });
}
