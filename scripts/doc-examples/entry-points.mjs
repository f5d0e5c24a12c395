// The public entry points of the workspace packages, read from their
// package.json "exports" maps. Shared by the two checks of doc-examples.mjs:
// the doc-comment check reads the TypeScript sources ("@chatcore/source"),
// the example check compiles against what users get ("types", from dist/).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every workspace package under `packages/` and `examples/` that has a
 * package.json: `{ dir, name, manifest }`, `dir` relative to the root.
 */
export function workspacePackages(root) {
  const out = [];
  for (const base of ['packages', 'examples']) {
    if (!existsSync(join(root, base))) continue;
    for (const name of readdirSync(join(root, base)).sort()) {
      const file = join(root, base, name, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      out.push({ dir: `${base}/${name}`, name: manifest.name, manifest });
    }
  }
  return out;
}

/**
 * The entry points of every package under `packages/`, and of every example
 * package that has an export map: `{ pkg, subpath, source, types }` with
 * absolute paths of the "@chatcore/source" (.ts) and "types" (.d.ts)
 * targets. `problems` lists exports that cannot be checked.
 */
export function entryPoints(root) {
  const entries = [];
  const problems = [];
  for (const pkg of workspacePackages(root).filter((p) => p.dir.startsWith('packages/') || p.manifest.exports)) {
    const { exports = {} } = pkg.manifest;
    const map = typeof exports === 'string' ? { '.': exports } : exports;
    for (const [subpath, target] of Object.entries(map)) {
      const source = typeof target === 'string' ? target : target?.['@chatcore/source'];
      const types = typeof target === 'string' ? undefined : target?.types;
      const file = typeof source === 'string' && source.endsWith('.ts') ? join(root, pkg.dir, source) : undefined;
      if (!file || !existsSync(file)) {
        problems.push(`${pkg.dir}/package.json: export "${subpath}" has no existing .ts "@chatcore/source" target (${JSON.stringify(source ?? null)})`);
        continue;
      }
      if (typeof types !== 'string') problems.push(`${pkg.dir}/package.json: export "${subpath}" has no "types" target`);
      entries.push({ pkg, subpath, source: file, types: typeof types === 'string' ? join(root, pkg.dir, types) : undefined });
    }
  }
  if (!entries.length) problems.push('no entry points found in packages/*/package.json "exports"');
  return { entries, problems };
}
