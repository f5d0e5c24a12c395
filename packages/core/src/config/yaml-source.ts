import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { ConfigProblem } from '../errors.js';
import type { SourceInfo } from './config-checker.js';
import { interpolateEnv, type EnvSource } from './interpolate-env.js';
import { protectReferences } from './protect-references.js';

/**
 * YAML read into plain values, with line numbers and the paths filled from the environment.
 *
 * @example
 * ```ts
 * const src: YamlSource = readYaml(readFileSync('chatcore.yaml', 'utf8'), process.env, 'chatcore.yaml');
 * src.problems; // syntax and ${VAR} problems, with lines
 * ```
 */
export interface YamlSource extends SourceInfo {
  readonly value: unknown;
  /** Syntax errors and interpolation problems found while reading. */
  readonly problems: readonly ConfigProblem[];
}

/** Aliases expanded per document at most; guards against alias bombs. */
const MAX_ALIASES = 100;
const MAX_DEPTH = 64;

/** Friendly names of the yaml library's error codes; its messages quote source lines, which may hold secrets. */
const SYNTAX: Record<string, string> = {
  DUPLICATE_KEY: 'a key appears twice in the same map; keep one',
  BAD_INDENT: 'bad indentation',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  MULTIPLE_DOCS: 'the file holds several YAML documents; keep one',
  TAB_AS_INDENT: 'tabs cannot indent YAML; use spaces',
  BLOCK_AS_IMPLICIT_KEY: 'a nested block where a key was expected',
  UNEXPECTED_TOKEN: 'unexpected text',
  BAD_SCALAR_START: 'a value starts with a reserved character; quote it',
  MULTILINE_IMPLICIT_KEY: 'a key spans several lines',
};

/**
 * Parse YAML into plain values (maps without prototypes, so `__proto__` is just
 * a key that the schema will reject), substituting `${ENV}` in every string
 * value (in block and flow style alike: `{ region: ${REGION} }` works) and
 * recording the line of every path. Substitution happens after parsing, so
 * an environment value is always one string, whatever characters it holds. Interpolation and syntax
 * problems are collected, not thrown, so they are reported with the rest.
 *
 * @example
 * ```ts
 * const src = readYaml('database:\n  password: ${DB_PASSWORD}\n', { DB_PASSWORD: 'x' }, 'inline');
 * src.lines.get('database.password'); // 2
 * ```
 */
export function readYaml(text: string, env: EnvSource, name: string): YamlSource {
  const lineCounter = new LineCounter();
  const problems: ConfigProblem[] = [];
  const lines = new Map<string, number>();
  const fromEnv = new Set<string>();
  // References become plain words for the parser (a `${` in a flow map or list would end the value there).
  const references = protectReferences(text);
  const doc = parseDocument(references.text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line ?? (err.pos ? lineCounter.linePos(err.pos[0]).line : undefined);
    problems.push({ path: '(yaml)', line, message: `YAML syntax: ${SYNTAX[err.code] ?? err.code.toLowerCase().replace(/_/g, ' ')}` });
  }
  if (doc.errors.length) return { name, value: undefined, problems, lines, fromEnv };

  let aliases = 0;
  const lineOf = (node: { range?: readonly number[] | null | undefined } | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]!).line : undefined;

  const walk = (node: unknown, path: string, depth: number): unknown => {
    if (depth > MAX_DEPTH) {
      problems.push({ path, message: `nested deeper than ${MAX_DEPTH} levels`, line: lines.get(path) });
      return undefined;
    }
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      if (++aliases > MAX_ALIASES) {
        if (aliases === MAX_ALIASES + 1) problems.push({ path, message: `more than ${MAX_ALIASES} YAML aliases; expand them`, line: lines.get(path) });
        return undefined;
      }
      return walk(node.resolve(doc as Document), path, depth + 1);
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = Object.create(null);
      for (const pair of node.items) {
        const keyNode = pair.key;
        const raw = isScalar(keyNode) ? keyNode.value : keyNode;
        // Keys are not interpolated: a reference in a key stays as written.
        const key = typeof raw === 'string' ? references.restore(raw) : raw;
        const keyLine = lineOf(keyNode as Node);
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
          problems.push({ path: path || '(root)', message: 'a key is not a plain name', line: keyLine });
          continue;
        }
        const k = String(key);
        const childPath = path ? `${path}.${k}` : k;
        if (keyLine !== undefined) lines.set(childPath, keyLine);
        out[k] = walk(pair.value, childPath, depth + 1);
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        const childPath = `${path}[${i}]`;
        const line = lineOf(item as Node);
        if (line !== undefined) lines.set(childPath, line);
        return walk(item, childPath, depth + 1);
      });
    }
    if (isScalar(node)) {
      const value = node.value;
      if (typeof value !== 'string') return value;
      const r = interpolateEnv(references.restore(value), env);
      for (const v of r.missing) {
        problems.push({ path, line: lines.get(path), message: `environment variable ${v} is not set: set it, or write \${${v}:-default}` });
      }
      for (const m of r.malformed) problems.push({ path, line: lines.get(path), message: m });
      if (r.substituted) fromEnv.add(path);
      return r.value;
    }
    problems.push({ path, message: 'unsupported YAML node', line: lineOf(node as Node) });
    return undefined;
  };

  const value = walk(doc.contents, '', 0);
  return { name, value, problems, lines, fromEnv };
}
