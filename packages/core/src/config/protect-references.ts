import { randomBytes } from 'node:crypto';

/**
 * YAML text with every `${...}` reference swapped for a placeholder that is
 * a plain word, and the way back. YAML's flow collections (`{ a: ${A} }`,
 * `[${A}]`) end a plain value at `{` and `}`, so a reference there is a
 * syntax error; a placeholder parses in any position, and the parsed string
 * gets its reference back before interpolation. Environment values never
 * enter the YAML text, so they cannot change its structure.
 *
 * @example
 * ```ts
 * const p = protectReferences('labels: { region: ${REGION:-eu-west} }');
 * p.text;                          // 'labels: { region: __chatcore_ref_…_0__ }'
 * p.restore(parse(p.text).labels.region); // '${REGION:-eu-west}'
 * ```
 */
export interface ProtectedText {
  /** The text to parse: the same lines, each reference replaced by its placeholder. */
  readonly text: string;
  /** A parsed string with its placeholders turned back into the references they stand for. */
  restore(value: string): string;
}

/** A reference as interpolateEnv reads it: `${`, up to the first `}`, on one line. */
const REFERENCE = /\$\{[^}\n\r]*\}/g;

/**
 * Swap the `${...}` references of YAML `text` for placeholders (see
 * ProtectedText). Text without references is returned as it is.
 *
 * @example
 * ```ts
 * const { text, restore } = protectReferences(source);
 * const doc = parseDocument(text);
 * ```
 */
export function protectReferences(text: string): ProtectedText {
  if (!text.includes('${')) return { text, restore: (value) => value };
  let nonce: string;
  do nonce = randomBytes(6).toString('hex');
  while (text.includes(nonce));
  const references: string[] = [];
  const protectedText = text.replace(REFERENCE, (reference) => `__chatcore_ref_${nonce}_${references.push(reference) - 1}__`);
  const placeholder = new RegExp(`__chatcore_ref_${nonce}_(\\d+)__`, 'g');
  return {
    text: protectedText,
    restore: (value) => (value.includes(nonce) ? value.replace(placeholder, (_, i: string) => references[Number(i)]!) : value),
  };
}
