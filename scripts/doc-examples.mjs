#!/usr/bin/env node
// Public API documentation check: every symbol a package exports (each entry
// point of its package.json "exports") carries a doc comment with an
// @example. Prints the symbols that do not, and exits 1 if there are any.
//
// Usage: node scripts/doc-examples.mjs   prints `doc-examples: N exported symbols checked, ok`
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const ts = createRequire(join(root, 'package.json'))('typescript');

/** The source file of every public entry point, from the packages' export maps. */
function entryPoints() {
  const out = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { exports = {} } = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const target of Object.values(exports)) {
      const source = typeof target === 'string' ? target : target['@chatcore/source'];
      if (source?.endsWith('.ts')) out.push(join(root, 'packages', dir, source));
    }
  }
  return out;
}

const entries = entryPoints();
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  customConditions: ['@chatcore/source'],
  strict: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
const seen = new Set();
const missing = [];
for (const entry of entries) {
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry));
  if (!module) throw new Error(`cannot read the exports of ${relative(root, entry)}`);
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = (symbol.declarations ?? []).filter((d) => d.getSourceFile().fileName.startsWith(join(root, 'packages')));
    if (!declarations.length || seen.has(symbol)) continue;
    seen.add(symbol);
    const docs = declarations.flatMap((d) => ts.getJSDocCommentsAndTags(d).map((j) => j.getText())).join('\n');
    if (!/@example\b/.test(docs)) {
      const d = declarations[0];
      const at = d.getSourceFile().getLineAndCharacterOfPosition(d.getStart()).line + 1;
      missing.push(`${relative(root, d.getSourceFile().fileName)}:${at}: ${exported.name} (exported by ${relative(root, entry)}) ${docs.trim() ? 'has no @example' : 'has no doc comment'}`);
    }
  }
}
if (missing.length) {
  console.error(missing.join('\n'));
  console.error(`doc-examples: ${missing.length} of ${seen.size} exported symbols lack a doc comment with an @example`);
  process.exit(1);
}
console.log(`doc-examples: ${seen.size} exported symbols checked, ok`);
