#!/usr/bin/env node
// Documentation examples, two checks in one run:
// 1. every symbol a package exports (each entry point of its package.json
//    "exports") carries a doc comment with a line starting with @example;
// 2. every ```ts block of README.md, docs/*.md, packages/*/README.md and
//    examples/*/README.md, and of the doc comments of exported symbols,
//    compiles against the BUILT packages (run `pnpm build` first), as a
//    user's project would resolve them. Fragments get their undeclared names
//    from a prelude (scripts/doc-examples/preludes, chosen in config.mjs).
//    A block that must not compile says why: ```ts nocheck: <reason>, or a
//    `// @ts-expect-error` line (which fails the check if the line compiles).
//
// Usage: node scripts/doc-examples.mjs
//   prints `doc-examples: N exported symbols documented; M blocks checked, ok`,
//   or each failure as `file:line: error` and exits 1. Sources listed as
//   pending in config.mjs are compiled too but only reported
//   (`pending: N blocks fail in X`).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryPoints } from './doc-examples/entry-points.mjs';
import { docCommentBlocks, markdownBlocks } from './doc-examples/collect-blocks.mjs';
import { compileBlocks } from './doc-examples/compile-blocks.mjs';
import { PENDING, pendingOf, preludeOf } from './doc-examples/config.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const ts = createRequire(join(root, 'package.json'))('typescript');

/** A doc comment line that starts with the tag (the TypeScript parser also takes the word in prose for one). */
const EXAMPLE = /^\s*(?:\/\*\*|\*)?\s*@example\b/m;

const { entries, problems } = entryPoints(root);
if (problems.length) {
  console.error(problems.join('\n'));
  console.error('doc-examples: cannot check the public API');
  process.exit(1);
}
const missingBuild = entries.filter((e) => e.types && !existsSync(e.types));
if (missingBuild.length) {
  console.error(missingBuild.map((e) => `${relative(root, e.types)} is missing`).join('\n'));
  console.error('doc-examples: the examples compile against the built packages: run `pnpm build` first');
  process.exit(1);
}

// 1. Every exported symbol has a doc comment with an @example; collect the blocks of those comments.
const sources = entries.map((e) => e.source);
const program = ts.createProgram(sources, {
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
const docs = new Set();
for (const entry of entries) {
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry.source));
  if (!module) throw new Error(`cannot read the exports of ${relative(root, entry.source)}`);
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = (symbol.declarations ?? []).filter((d) => !d.getSourceFile().fileName.includes('/node_modules/') && /^(packages|examples)\//.test(relative(root, d.getSourceFile().fileName)));
    if (!declarations.length || seen.has(symbol)) continue;
    seen.add(symbol);
    const comments = declarations.flatMap((d) => ts.getJSDocCommentsAndTags(d).filter((j) => ts.isJSDoc(j)));
    comments.forEach((c) => docs.add(c));
    if (!comments.some((c) => EXAMPLE.test(c.getText()))) {
      const d = declarations[0];
      const at = d.getSourceFile().getLineAndCharacterOfPosition(d.getStart()).line + 1;
      missing.push(`${relative(root, d.getSourceFile().fileName)}:${at}: ${exported.name} (exported by ${relative(root, entry.source)}) ${comments.length ? 'has no @example' : 'has no doc comment'}`);
    }
  }
}

// 2. Compile every block.
const pages = markdownBlocks(root);
const blocks = [...pages.blocks];
const shapeProblems = [...pages.problems];
const atOf = new Set();
for (const doc of [...docs].sort((a, b) => a.getSourceFile().fileName.localeCompare(b.getSourceFile().fileName) || a.pos - b.pos)) {
  const r = docCommentBlocks(ts, doc, root);
  for (const b of r.blocks) {
    const key = `${b.file}:${b.line}`;
    if (!atOf.has(key)) { atOf.add(key); blocks.push(b); }
  }
  shapeProblems.push(...r.problems);
}
const checked = blocks.filter((b) => b.nocheck === undefined).map((b) => ({ ...b, prelude: preludeOf(b) }));
const started = Date.now();
const result = compileBlocks(ts, root, checked, join(root, 'scripts', 'doc-examples', 'preludes'));
const seconds = ((Date.now() - started) / 1000).toFixed(1);

const failing = [];
const pendingFailures = new Map(Object.keys(PENDING).map((p) => [p, new Set()]));
for (const f of result.failures) {
  const pending = pendingOf(f.block.file);
  if (pending) pendingFailures.get(pending).add(f.block);
  else failing.push(`${f.at}: ${f.message}`);
}
for (const [entry, failed] of pendingFailures) {
  const total = checked.filter((b) => pendingOf(b.file) === entry).length;
  console.log(`pending: ${failed.size} of ${total} blocks fail in ${entry} (${PENDING[entry]})`);
}

const errors = [...missing, ...shapeProblems, ...result.problems, ...failing];
if (errors.length) {
  console.error(errors.join('\n'));
  if (missing.length) console.error(`doc-examples: ${missing.length} of ${seen.size} exported symbols lack a doc comment with an @example`);
  console.error(`doc-examples: failed (${failing.length + result.problems.length + shapeProblems.length} errors in ${checked.length} checked blocks; compiled in ${result.dir})`);
  process.exit(1);
}
const skipped = blocks.length - checked.length;
console.log(`doc-examples: ${seen.size} exported symbols documented; ${checked.length} blocks checked, ok (${skipped} nocheck; compiled in ${seconds}s)`);
