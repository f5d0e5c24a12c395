// Compiles every example block in one TypeScript program, the way a user's
// project would: a temporary directory (.tmp/doc-examples) with one module per
// block, the workspace packages linked into its node_modules and resolved
// through their export maps to the built declarations (dist/*.d.ts), and the
// preludes beside them. A block sees, from its prelude, exactly the names it
// uses and does not declare or import itself.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export const COMPILER_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
};

/** Links `name` (maybe scoped) to `target` in `modules` unless already there. */
function link(modules, name, target) {
  const at = join(modules, name);
  if (existsSync(at)) return;
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at, 'dir');
}

/** The installed dependencies of one package directory: name -> real path. */
function installed(dir) {
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules)) return [];
  const out = [];
  for (const name of readdirSync(modules)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const sub of readdirSync(join(modules, name))) out.push([`${name}/${sub}`, join(modules, name, sub)]);
    else out.push([name, join(modules, name)]);
  }
  return out;
}

/** The top-level names a module declares or imports. */
function declaredNames(ts, sourceFile) {
  const names = new Set();
  const bind = (n) => {
    if (!n) return;
    if (ts.isIdentifier(n)) names.add(n.text);
    else if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const st of sourceFile.statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      bind(st.importClause.name);
      const nb = st.importClause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) bind(nb.name);
      if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) bind(e.name);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) bind(d.name);
    } else if (ts.isImportEqualsDeclaration(st) || ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st)
      || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st)) {
      if (st.name && ts.isIdentifier(st.name)) names.add(st.name.text);
    }
  }
  return names;
}

/** Every identifier written anywhere in a module. */
function usedNames(ts, sourceFile) {
  const names = new Set();
  const visit = (n) => { if (ts.isIdentifier(n)) names.add(n.text); ts.forEachChild(n, visit); };
  visit(sourceFile);
  return names;
}

/**
 * Compile `blocks` (each with `prelude`, a prelude file name) and return the
 * failures as `{ block, at, message }` (`at`: `file:line` in the repository)
 * plus `problems` of the preludes themselves.
 */
export function compileBlocks(ts, root, blocks, preludeDir) {
  const dir = join(root, '.tmp', 'doc-examples');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blocks'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'doc-examples', private: true, type: 'module' }, null, 2));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, include: ['preludes/*.ts', 'blocks/*.ts'] }, null, 2));

  // node_modules: the workspace packages by name (so their export maps apply),
  // then what they depend on (a user's project would have installed those).
  const modules = join(dir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  const dirs = [];
  for (const base of ['packages', 'examples']) {
    if (!existsSync(join(root, base))) continue;
    for (const name of readdirSync(join(root, base)).sort()) if (existsSync(join(root, base, name, 'package.json'))) dirs.push(join(root, base, name));
  }
  for (const d of dirs) {
    const { name } = JSON.parse(ts.sys.readFile(join(d, 'package.json')));
    if (name) link(modules, name, d);
  }
  for (const d of [...dirs, root]) for (const [name, path] of installed(d)) if (!name.startsWith('@chatcore/')) link(modules, name, path);

  cpSync(preludeDir, join(dir, 'preludes'), { recursive: true });
  const parsed = ts.parseJsonConfigFileContent({ compilerOptions: COMPILER_OPTIONS }, ts.sys, dir);
  const options = parsed.options;
  const preludeFiles = readdirSync(join(dir, 'preludes')).filter((f) => f.endsWith('.ts')).map((f) => join(dir, 'preludes', f));

  // What each prelude offers.
  const first = ts.createProgram(preludeFiles, options);
  const checker = first.getTypeChecker();
  const offers = new Map();
  for (const f of preludeFiles) {
    const sf = first.getSourceFile(f);
    const symbol = sf && checker.getSymbolAtLocation(sf);
    offers.set(f.slice(join(dir, 'preludes').length + 1).replace(/\.ts$/, ''), new Set(symbol ? checker.getExportsOfModule(symbol).map((s) => s.name) : []));
  }

  const files = new Map();
  blocks.forEach((block, i) => {
    const body = block.lines.join('\n');
    const parsedBlock = ts.createSourceFile('block.ts', body, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const own = declaredNames(ts, parsedBlock);
    const offered = offers.get(block.prelude);
    if (!offered) throw new Error(`${block.file}:${block.line}: no prelude named "${block.prelude}" in ${relative(root, preludeDir)}`);
    const wanted = [...usedNames(ts, parsedBlock)].filter((n) => offered.has(n) && !own.has(n)).sort();
    const header = wanted.length ? `import { ${wanted.join(', ')} } from '../preludes/${block.prelude}.js';` : 'export {};';
    const name = `${String(i).padStart(4, '0')}-${block.file.replace(/[^A-Za-z0-9]+/g, '-')}-${block.line}.ts`;
    const path = join(dir, 'blocks', name);
    writeFileSync(path, `${header}\n${body}\n`);
    files.set(path, block);
  });

  const program = ts.createProgram([...preludeFiles, ...files.keys()], options, undefined, first);
  const failures = [];
  const problems = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').join(' ');
    if (!d.file) { problems.push(`doc-examples: TS${d.code}: ${message}`); continue; }
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const block = files.get(d.file.fileName);
    if (block) {
      const at = `${block.file}:${line === 0 ? block.line - 1 : block.line + line - 1}`;
      failures.push({ block, at, message: `TS${d.code}: ${message}` });
    } else {
      const shown = d.file.fileName.startsWith(join(dir, 'preludes')) ? join(relative(root, preludeDir), relative(join(dir, 'preludes'), d.file.fileName)) : relative(root, d.file.fileName);
      problems.push(`${shown}:${line + 1}: TS${d.code}: ${message}`);
    }
  }
  return { failures, problems, dir };
}
