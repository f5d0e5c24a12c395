const quoted = new Map<string, string>();

// Nothing JSON.stringify would escape: quotes, backslash, control characters, surrogates (lone ones are escaped).
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/**
 * A string as JSON, the same text as JSON.stringify writes; strings that need
 * no escaping (ids, names, timestamps) are only wrapped in quotes.
 *
 * @example
 * ```ts
 * jsonString('a"b'); // '"a\\"b"'
 * ```
 */
export function jsonString(s: string): string {
  return PLAIN.test(s) ? '"' + s + '"' : JSON.stringify(s);
}

/** `"key":` for a member name; names repeat across events, so the quoting is cached. */
function keyPrefix(key: string): string {
  let q = quoted.get(key);
  if (q === undefined) {
    q = JSON.stringify(key) + ':';
    if (quoted.size < 10_000) quoted.set(key, q);
  }
  return q;
}

/** Object.keys in code-unit order; events are built with sorted keys, so this is usually a check, not a sort. */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) return keys.sort();
  }
  return keys;
}

function members(obj: Record<string, unknown>, keys: readonly string[], extraKeys: readonly string[] | undefined, extraValues: readonly unknown[] | undefined): string {
  let out = '';
  let e = 0;
  const extras = extraKeys ? extraKeys.length : 0;
  for (const key of keys) {
    while (e < extras && extraKeys![e]! < key) {
      const v = extraValues![e];
      if (v !== undefined) out += ',' + keyPrefix(extraKeys![e]!) + canonicalJson(v);
      e++;
    }
    if (e < extras && extraKeys![e] === key) continue;
    const v = obj[key];
    if (v !== undefined) out += ',' + keyPrefix(key) + canonicalJson(v);
  }
  for (; e < extras; e++) {
    const v = extraValues![e];
    if (v !== undefined) out += ',' + keyPrefix(extraKeys![e]!) + canonicalJson(v);
  }
  return out ? '{' + out.slice(1) + '}' : '{}';
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined`
 * members omitted, numbers and strings as JSON.stringify writes them. The
 * same value always gives the same text, whatever order its keys were built
 * or stored in (PostgreSQL jsonb reorders keys), which the hash chain needs.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string': return jsonString(value);
    case 'number': return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return JSON.stringify(value.toString());
    case 'undefined': case 'function': case 'symbol': return 'null';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i) out += ',';
      const item: unknown = value[i];
      out += item === undefined ? 'null' : canonicalJson(item);
    }
    return out + ']';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  return members(value as Record<string, unknown>, sortedKeys(value as object), undefined, undefined);
}

/**
 * Canonical JSON of `obj` with extra members merged in (their names sorted,
 * and replacing members of the same name), without copying `obj`: how an
 * event is serialized together with its chain fields.
 *
 * @example
 * ```ts
 * canonicalJsonWith({ v: 1 }, ['prevHash', 'seq', 'stream'], [h, 1, 's']); // '{"prevHash":"…","seq":1,"stream":"s","v":1}'
 * ```
 */
export function canonicalJsonWith(obj: Readonly<Record<string, unknown>>, extraKeys: readonly string[], extraValues: readonly unknown[]): string {
  return members(obj as Record<string, unknown>, sortedKeys(obj), extraKeys, extraValues);
}

/**
 * A function that writes the canonical JSON of one event, with the chain
 * members `prevHash`, `seq` and `stream` merged in: the same text as
 * `canonicalJsonWith(event, ['prevHash', 'seq', 'stream'], [prevHash, seq, stream])`.
 *
 * @example
 * ```ts
 * const write: CanonicalWriter = (e, prevHash, seq, stream) => canonicalJsonWith(e, ['prevHash', 'seq', 'stream'], [prevHash, seq, stream]);
 * ```
 */
export type CanonicalWriter = (event: never, prevHash: string, seq: number, stream: string) => string;

/**
 * The member under which an event carries its CanonicalWriter (a symbol:
 * JSON.stringify, Object.keys and jsonb never see it). The hash chain uses
 * it instead of the generic walk; events of a fixed shape (operation events)
 * are written several times faster that way.
 *
 * @example
 * ```ts
 * const body = { v: 1, type: 'operation', time, kind: 'get', ids: [id], [CANONICAL_WRITER]: writeOperationJson };
 * ```
 */
export const CANONICAL_WRITER: unique symbol = Symbol('chatcore.audit.canonicalWriter');
