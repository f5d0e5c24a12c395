import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt parameters for `secret()` fields. The defaults follow current
 * guidance for interactive logins (N=2^15, r=8, p=1, 32-byte hash).
 *
 * @example
 * ```ts
 * const params: ScryptParams = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };
 * ```
 */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

/**
 * The parameters new hashes use.
 *
 * @example
 * ```ts
 * console.log(DEFAULT_SCRYPT); // { N: 32768, r: 8, p: 1, keyLength: 32 }
 * const fast = await hashSecret('test-password', { ...DEFAULT_SCRYPT, N: 2 ** 10 }); // cheap hashes in tests
 * ```
 */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 1, keyLength: 32 });

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, params.keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Hash a secret into a self-describing string:
 * `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`.
 *
 * @example
 * ```ts
 * const stored = await hashSecret('correct horse battery staple');
 * ```
 */
export async function hashSecret(secret: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Check a candidate against a stored hash in constant time. `needsRehash`
 * is true when the hash was made with other parameters than `current`.
 *
 * @example
 * ```ts
 * const { ok, needsRehash } = await verifySecretHash(stored, candidate);
 * ```
 */
export async function verifySecretHash(
  stored: string,
  candidate: string,
  current: ScryptParams = DEFAULT_SCRYPT,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return { ok: false, needsRehash: false };
  const params: ScryptParams = { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]), keyLength: 0 };
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (![params.N, params.r, params.p].every((n) => Number.isSafeInteger(n) && n > 0) || expected.length < 16) return { ok: false, needsRehash: false };
  const actual = await scrypt(candidate, salt, { ...params, keyLength: expected.length });
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  const needsRehash = params.N !== current.N || params.r !== current.r || params.p !== current.p || expected.length !== current.keyLength;
  return { ok, needsRehash };
}
