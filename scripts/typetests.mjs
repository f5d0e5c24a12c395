#!/usr/bin/env node
// Type tests: compiles packages/core/typetests, where every `// @ts-expect-error`
// line states a mistake that must not compile (tsc fails on a directive whose
// next line compiles) and the line after that mistake is its twin, which must
// compile (tsc fails on any other error). So a clean compile checks both.
//
// Usage: node scripts/typetests.mjs            check; prints `typetests: N expectations checked, ok`
//        node scripts/typetests.mjs --explain  also show the error each directive expects
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const dir = join(root, 'packages', 'core', 'typetests');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const DIRECTIVE = /^\s*\/\/ @ts-expect-error\b(.*)$/;

function compile(project) {
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
const expectations = [];
const shapeProblems = [];
for (const file of files) {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  lines.forEach((line, i) => {
    const m = DIRECTIVE.exec(line);
    if (!m) return;
    const why = m[1].trim();
    expectations.push({ file, line: i + 1, why });
    if (!why) shapeProblems.push(`${file}:${i + 1}: say which mistake the line makes (// @ts-expect-error <reason>)`);
    const twin = lines[i + 2] ?? '';
    if (!twin.trim() || DIRECTIVE.test(twin) || twin.trim().startsWith('//')) {
      shapeProblems.push(`${file}:${i + 3}: the line after the expected error should be its compiling twin`);
    }
  });
}

const started = Date.now();
const result = compile(dir);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (!result.ok) {
  console.log(result.output);
  console.log(`typetests: failed (${expectations.length} expectations; an unused @ts-expect-error means a mistake now compiles)`);
  process.exit(1);
}
if (shapeProblems.length) {
  console.log(shapeProblems.join('\n'));
  console.log('typetests: failed (layout)');
  process.exit(1);
}

if (process.argv.includes('--explain')) {
  // Compile copies without the directives and show which error each one hid.
  const tmp = join(dir, `.explain-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8').split('\n').map((l) => (DIRECTIVE.test(l) ? '' : l)).join('\n');
      writeFileSync(join(tmp, file), text);
    }
    writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'] }));
    const { output } = compile(tmp);
    const errors = output.split('\n').filter((l) => /error TS/.test(l));
    for (const e of expectations) {
      const at = `${e.file}(${e.line + 1},`;
      const hits = errors.filter((l) => l.includes(at)).map((l) => l.replace(/^.*error /, ''));
      console.log(`${e.file}:${e.line + 1}  ${e.why}\n    ${hits.join('\n    ') || '(no error?)'}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

console.log(`tsc -p packages/core/typetests: ${files.length} files in ${seconds}s`);
console.log(`typetests: ${expectations.length} expectations checked, ok`);
