// Finds the TypeScript examples to compile: the ```ts blocks of the Markdown
// pages and of the doc comments of exported symbols. A block is
// `{ file, line, kind, lines, nocheck }`: `file` relative to the root, `line`
// the 1-based source line of its first code line, `lines` the code without
// the comment's ` * ` prefix or the fence's indentation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const OPEN = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/;
const TS = new Set(['ts', 'typescript']);
/** The opt-out: ```ts nocheck: why the block cannot compile */
const NOCHECK = /^nocheck\b\s*:?\s*(.*)$/;

/** The Markdown pages whose blocks are checked, relative to the root. */
export function markdownPages(root) {
  const pages = ['README.md'];
  const inDir = (dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith('.md')).sort().map((f) => `${dir}/${f}`) : []);
  pages.push(...inDir('docs'));
  for (const base of ['packages', 'examples']) {
    if (!existsSync(join(root, base))) continue;
    for (const name of readdirSync(join(root, base)).sort()) {
      if (existsSync(join(root, base, name, 'README.md'))) pages.push(`${base}/${name}/README.md`);
    }
  }
  return pages.filter((p) => existsSync(join(root, p)));
}

/**
 * The fenced TypeScript blocks of some text, given as lines; `firstLine` is
 * the 1-based line number of `lines[0]` in its file.
 */
export function fencedBlocks(lines, file, firstLine, kind) {
  const blocks = [];
  const problems = [];
  for (let i = 0; i < lines.length; i++) {
    const m = OPEN.exec(lines[i]);
    if (!m) continue;
    const [, indent, fence, lang, info] = m;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end])) end++;
    if (TS.has(lang)) {
      const at = firstLine + i;
      let nocheck;
      const opt = NOCHECK.exec(info.trim());
      if (opt) {
        nocheck = opt[1].trim();
        if (!nocheck) problems.push(`${file}:${at}: say why the block is not checked: \`\`\`ts nocheck: <reason>`);
      } else if (info.trim()) {
        problems.push(`${file}:${at}: unknown fence info "${info.trim()}" (only "nocheck: <reason>")`);
      }
      const code = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      blocks.push({ file, line: at + 1, kind, lines: code, nocheck });
    }
    i = end;
  }
  return { blocks, problems };
}

/** The ```ts blocks of the Markdown pages. */
export function markdownBlocks(root) {
  const blocks = [];
  const problems = [];
  for (const page of markdownPages(root)) {
    const r = fencedBlocks(readFileSync(join(root, page), 'utf8').split('\n'), page, 1, 'page');
    blocks.push(...r.blocks);
    problems.push(...r.problems);
  }
  return { blocks, problems };
}

/** The ```ts blocks of one JSDoc comment node (its text without ` * `). */
export function docCommentBlocks(ts, doc, root) {
  const source = doc.getSourceFile();
  const file = relative(root, source.fileName);
  const firstLine = source.getLineAndCharacterOfPosition(doc.getStart()).line + 1;
  const lines = doc.getText().split('\n').map((l) => l.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/\s*$/, ''));
  return fencedBlocks(lines, file, firstLine, 'comment');
}
