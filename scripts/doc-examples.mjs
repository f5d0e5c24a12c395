#!/usr/bin/env node
// Public API documentation check: every symbol a package exports (each entry
// point of its package.json "exports") carries a doc comment with a line
// starting with @example. Prints the symbols that do not, and exits 1 if there
// are any, or if an export has no .ts "@chatcore/source" target, or if no
// entry point was found at all.
//
// Usage: node scripts/doc-examples.mjs   prints `doc-examples: N exported symbols checked, ok`
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const ts = createRequire(join(root, 'package.json'))('typescript');

/** The source file of every public entry point, from the packages' export maps; exits 1 on one it cannot check. */
function entryPoints() {
  const out = [];
  const problems = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { exports = {} } = JSON.parse(readFileSync(manifest, 'utf8'));
    const entries = typeof exports === 'string' ? { '.': exports } : exports;
    for (const [path, target] of Object.entries(entries)) {
      const source = typeof target === 'string' ? target : target?.['@chatcore/source'];
      const file = typeof source === 'string' && source.endsWith('.ts') ? join(root, 'packages', dir, source) : undefined;
      if (file && existsSync(file)) out.push(file);
      else problems.push(`packages/${dir}/package.json: export "${path}" has no existing .ts "@chatcore/source" target (${JSON.stringify(source ?? null)})`);
    }
  }
  if (!out.length) problems.push('no entry points found in packages/*/package.json "exports"');
  if (problems.length) {
    console.error(problems.join('\n'));
    console.error('doc-examples: cannot check the public API');
    process.exit(1);
  }
  return out;
}

/** A doc comment line that starts with the tag (the TypeScript parser also takes the word in prose for one). */
const EXAMPLE = /^\s*(?:\/\*\*|\*)?\s*@example\b/m;

/** Whether a declaration's doc comment has an `@example` line. */
function hasExample(declaration) {
  return ts.getJSDocCommentsAndTags(declaration).some((doc) => ts.isJSDoc(doc) && EXAMPLE.test(doc.getText()));
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
    if (!declarations.some(hasExample)) {
      const docs = declarations.flatMap((d) => ts.getJSDocCommentsAndTags(d).map((j) => j.getText())).join('\n');
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
