import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import { DEFAULT_SCRYPT, scryptMaxmem, scryptPolicyViolation, type ScryptParams } from './scrypt-params.js';

export { DEFAULT_SCRYPT, type ScryptParams } from './scrypt-params.js';

/**
 * The record a secret belongs to. Its hash is bound to it: a hash copied to
 * another record, field or repository does not verify there.
 *
 * @example
 * ```ts
 * const owner: SecretOwner = { repository: 'users', field: 'password', id: user.id };
 * ```
 */
export interface SecretOwner {
  readonly repository: string;
  readonly field: string;
  readonly id: string;
}

/** Bound hashes: `scrypt2$N$r$p$salt$hash`; the unbound ones of earlier versions start with `scrypt$`. */
const BOUND = 'scrypt2';
const UNBOUND = 'scrypt';

/**
 * The owner enters scrypt's salt as a digest of an unambiguous encoding
 * (a JSON array of strings), after the random salt: equal secrets of two
 * records never share a hash, and no owner's encoding is another's.
 */
function boundSalt(salt: Buffer, owner: SecretOwner): Buffer {
  const context = JSON.stringify(['chatcore.secret.v2', owner.repository, owner.field, owner.id]);
  return Buffer.concat([salt, createHash('sha256').update(context).digest()]);
}

function scrypt(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options = { N: params.N, r: params.r, p: params.p, maxmem: scryptMaxmem(params) };
  return new Promise((resolve, reject) => scryptCb(secret.normalize('NFC'), salt, params.keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Hash a secret for the record that holds it, into a self-describing
 * string: `scrypt2$<N>$<r>$<p>$<salt base64url>$<hash base64url>`.
 *
 * @example
 * ```ts
 * const stored = await hashSecret('correct horse battery staple', { repository: 'users', field: 'password', id });
 * ```
 */
export async function hashSecret(secret: string, owner: SecretOwner, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, boundSalt(salt, owner), params);
  return `${BOUND}$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash {
  readonly bound: boolean;
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly expected: Buffer;
}

function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || (parts[0] !== BOUND && parts[0] !== UNBOUND)) return undefined;
  if (![1, 2, 3].every((i) => /^\d{1,10}$/.test(parts[i]!)) || ![4, 5].every((i) => /^[A-Za-z0-9_-]+$/.test(parts[i]!))) return undefined;
  const expected = Buffer.from(parts[5]!, 'base64url');
  return {
    bound: parts[0] === BOUND,
    params: { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]), keyLength: expected.length },
    salt: Buffer.from(parts[4]!, 'base64url'),
    expected,
  };
}

/**
 * Check a candidate against the stored hash of `owner`'s secret, in
 * constant time. A hash bound to another record does not match. An unbound
 * hash of an earlier version is checked as it was made and reported with
 * `needsRehash`, as is one made with other parameters than `current`
 * (`DEFAULT_SCRYPT`).
 *
 * A stored value that is not a chatcore hash, or asks for scrypt
 * parameters outside the accepted range (a planted N=2 verifies in
 * microseconds; N=2^30 would need a terabyte), raises IntegrityError before
 * any hashing: the record was written by something other than chatcore.
 *
 * @example
 * ```ts
 * const { ok, needsRehash } = await verifySecretHash(stored, candidate, { repository: 'users', field: 'password', id });
 * ```
 */
export async function verifySecretHash(
  stored: string,
  candidate: string,
  owner: SecretOwner,
  current: ScryptParams = DEFAULT_SCRYPT,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parsed = parse(stored);
  const violation = parsed ? scryptPolicyViolation(parsed.params, parsed.salt.length) : 'not a chatcore secret hash';
  if (!parsed || violation) {
    const at = `${owner.repository}.${owner.field} of record ${owner.id}`;
    throw new IntegrityError(`The stored hash of ${at} is refused: ${violation}. chatcore did not write it; treat the record as tampered with and reset the secret.`, {
      info: { repository: owner.repository, field: owner.field, id: owner.id, ...(parsed ? { N: parsed.params.N, r: parsed.params.r, p: parsed.params.p } : {}) },
    });
  }
  const { bound, params, salt, expected } = parsed;
  const actual = await scrypt(candidate, bound ? boundSalt(salt, owner) : salt, params);
  const ok = timingSafeEqual(actual, expected);
  const needsRehash = !bound || params.N !== current.N || params.r !== current.r || params.p !== current.p || expected.length !== current.keyLength;
  return { ok, needsRehash };
}

const DUMMY_OWNER: SecretOwner = { repository: '(none)', field: '(none)', id: '(none)' };
const DUMMY_SALT = Buffer.alloc(16, 0x5a).toString('base64url');
const DUMMY_KEY = (length: number) => Buffer.alloc(length, 0xa5).toString('base64url');

/**
 * Spend what checking a candidate against a stored hash with `params`
 * costs, and return false: for a record that does not exist or has no
 * secret, so that the answer takes as long as a wrong secret for one that
 * does (no account enumeration by timing).
 *
 * @example
 * ```ts
 * if (typeof stored !== 'string') return verifyNothing(candidate);
 * ```
 */
export async function verifyNothing(candidate: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<false> {
  const dummy = `${BOUND}$${params.N}$${params.r}$${params.p}$${DUMMY_SALT}$${DUMMY_KEY(params.keyLength)}`;
  await verifySecretHash(dummy, candidate, DUMMY_OWNER, params);
  return false;
}
