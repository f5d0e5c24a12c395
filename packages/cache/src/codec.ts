/**
 * The one serializer of both cache tiers. JSON with tagged values, so that a
 * row comes back exactly as the driver returned it: Date, bigint, Buffer (as
 * a Buffer), Uint8Array (as a Uint8Array), non-finite numbers and -0, and
 * nested JSON whose own keys happen to look like tags.
 *
 * A tagged value is an object with exactly one key starting with `$`; a user
 * object of that shape is wrapped in `{ $o: ... }` so it is never mistaken
 * for a tag.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function encodeValue(v: unknown): Json {
  switch (typeof v) {
    case 'string': case 'boolean': return v;
    case 'number':
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { $n: Object.is(v, -0) ? '-0' : String(v) };
    case 'bigint': return { $b: v.toString() };
    case 'undefined': return { $u: 0 };
    case 'object': {
      if (v === null) return null;
      if (v instanceof Date) return { $d: Number.isNaN(v.getTime()) ? null : v.getTime() };
      if (Buffer.isBuffer(v)) return { $B: v.toString('base64') };
      if (v instanceof Uint8Array) return { $U: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
      if (Array.isArray(v)) return v.map(encodeValue);
      const out: { [k: string]: Json } = {};
      let n = 0;
      let first = '';
      for (const k of Object.keys(v)) {
        out[k] = encodeValue((v as Record<string, unknown>)[k]);
        if (n++ === 0) first = k;
      }
      return n === 1 && first.startsWith('$') ? { $o: out } : out;
    }
    default:
      throw new TypeError(`cannot cache a ${typeof v} value`);
  }
}

function decodeValue(v: Json): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0]!.startsWith('$')) {
    const inner = v[keys[0]!]!;
    switch (keys[0]) {
      case '$d': return new Date(inner === null ? Number.NaN : (inner as number));
      case '$b': return BigInt(inner as string);
      case '$B': return Buffer.from(inner as string, 'base64');
      case '$U': return new Uint8Array(Buffer.from(inner as string, 'base64'));
      case '$n': return inner === '-0' ? -0 : Number(inner);
      case '$u': return undefined;
      case '$o': return decodeObject(inner as { [k: string]: Json });
    }
  }
  return decodeObject(v);
}

function decodeObject(v: { [k: string]: Json }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = decodeValue(v[k]!);
  return out;
}

/**
 * Serialize a cached value (rows, counts) to a string that `decode` turns
 * back into an equal value, types included.
 *
 * @example
 * ```ts
 * const s = encode({ at: new Date(0), n: 10n, raw: Buffer.from('hi') });
 * decode(s); // { at: Date(0), n: 10n, raw: <Buffer 68 69> }
 * ```
 */
export function encode(value: unknown): string {
  return JSON.stringify(encodeValue(value));
}

/**
 * The inverse of `encode`.
 *
 * @example
 * ```ts
 * decode(encode([1n, new Uint8Array([1])])); // [1n, Uint8Array [1]]
 * ```
 */
export function decode(text: string): unknown {
  return decodeValue(JSON.parse(text) as Json);
}

/**
 * A deep copy of a cached value, cheaper than a codec round trip: what the
 * in-process tier hands out on every hit, so that a caller (or a plugin above,
 * decrypting in place) can never change the cached copy.
 *
 * @example
 * ```ts
 * const cached = { name: 'Ada', at: new Date() };
 * const mine = copyValue(cached); mine.name = 'x'; // cached.name is still 'Ada'
 * ```
 */
export function copyValue<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (Buffer.isBuffer(v)) return Buffer.from(v) as T;
  if (v instanceof Uint8Array) return new Uint8Array(v) as T;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyValue(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = copyValue((v as Record<string, unknown>)[k]);
  return out as T;
}

/**
 * A rough size in bytes of a value held in memory, for the in-process tier's
 * byte bound (computed once, when an entry is filled).
 *
 * @example
 * ```ts
 * sizeOf({ name: 'Ada' }); // ~ 60
 * ```
 */
export function sizeOf(v: unknown): number {
  switch (typeof v) {
    case 'string': return 16 + v.length * 2;
    case 'number': case 'boolean': case 'undefined': return 8;
    case 'bigint': return 16 + v.toString(16).length;
    case 'object': {
      if (v === null) return 8;
      if (v instanceof Date) return 32;
      if (v instanceof Uint8Array) return 64 + v.byteLength;
      let n = 32;
      if (Array.isArray(v)) for (const x of v) n += 8 + sizeOf(x);
      else for (const k in v) n += 16 + k.length * 2 + sizeOf((v as Record<string, unknown>)[k]);
      return n;
    }
    default: return 8;
  }
}
