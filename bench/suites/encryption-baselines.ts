import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';
import { decryptStringSync, encryptStringSync, generateKey, parseKeySync } from '@47ng/cloak';
import { EncryptionTransformer } from 'typeorm-encrypted';

/**
 * What every baseline of the per-value benchmark does with one list of
 * values: `seal` encrypts each of them once, `open` decrypts each of what it
 * sealed at construction once. Each result is dropped as soon as it is made
 * (the cheapest way to use a cipher; the plugin, which must hand a whole
 * batch on, keeps its results until the call ends, so its figures carry
 * that). `check` opens everything and compares it with the values.
 */
export interface ValueSubject {
  readonly name: string;
  readonly seal: () => void;
  readonly open: () => void;
  /** Whether every sealed value opens to the value it was sealed from. */
  readonly check: () => boolean;
}

/** Holds the last result, so that no loop can be optimised away. */
let sink: unknown;

/** Runs `fn` on every item, keeping only the last result. */
function each<T>(items: readonly T[], fn: (item: T, i: number) => unknown): void {
  for (let i = 0; i < items.length; i++) sink = fn(items[i]!, i);
}

const sameAs = (values: readonly string[]) => (opened: readonly unknown[]) => opened.length === values.length && opened.every((v, i) => v === values[i]);

/** Short values: email addresses of 24 bytes, all different. */
export function shortValues(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `u${String(i).padStart(7, '0')}@example.com`.padEnd(24, 'x'));
}

/** Long values: 1 KiB texts, all different (ASCII, so 1,024 bytes each). */
export function longValues(count: number): string[] {
  const words = 'the quick brown fox jumps over the lazy dog while the assistant answers every question asked '.repeat(12);
  return Array.from({ length: count }, (_, i) => `${i} ${words}`.slice(0, 1024));
}

/**
 * The bare node:crypto floor: AES-256-GCM with the calls every user of
 * node:crypto makes (createCipheriv, setAAD, update, final, getAuthTag; the
 * reverse with setAuthTag to open), a 12-byte random nonce, a 16-byte tag
 * and an AAD as long as the plugin's (key header, repository, field, record
 * id). The AADs are built before timing; the nonce, tag and body are left
 * as buffers (nothing is encoded for storage) and dropped. Nonces are slices of
 * one `randomFillSync` of 1,024 nonces, the cheapest random nonce
 * node:crypto offers (`randomBytes(12)` per value costs ~5 µs here, more
 * than the cipher: see `nodeCryptoNaiveNonce`).
 */
export function nodeCryptoFloor(values: readonly string[], aadLength: number): ValueSubject {
  return bareGcm('node:crypto floor (bare GCM calls)', values, aadLength, pooledNonce);
}

/** The floor with `randomBytes(12)` per value, as naive code writes it (reference only). */
export function nodeCryptoNaiveNonce(values: readonly string[], aadLength: number): ValueSubject {
  return bareGcm('node:crypto, randomBytes(12) per nonce (reference)', values, aadLength, () => randomBytes(12));
}

const NONCES = 1024;
const nonces = Buffer.allocUnsafeSlow(NONCES * 12);
let nonceAt = nonces.length;

function pooledNonce(): Buffer {
  if (nonceAt >= nonces.length) {
    randomFillSync(nonces);
    nonceAt = 0;
  }
  return nonces.subarray(nonceAt, (nonceAt += 12));
}

function bareGcm(name: string, values: readonly string[], aadLength: number, nonce: () => Buffer): ValueSubject {
  const key = randomBytes(32);
  const aads = values.map(() => randomBytes(aadLength));
  const options = { authTagLength: 16 } as const;
  const sealOne = (value: string, aad: Buffer) => {
    const iv = nonce();
    const cipher = createCipheriv('aes-256-gcm', key, iv, options);
    cipher.setAAD(aad);
    const body = cipher.update(value, 'utf8');
    cipher.final();
    return { iv, tag: cipher.getAuthTag(), body };
  };
  const openOne = (s: { iv: Buffer; tag: Buffer; body: Buffer }, i: number) => {
    const decipher = createDecipheriv('aes-256-gcm', key, s.iv, options);
    decipher.setAAD(aads[i]!);
    decipher.setAuthTag(s.tag);
    const plain = decipher.update(s.body);
    decipher.final();
    return plain.toString('utf8');
  };
  // Copies: pooled nonces are views of a buffer that is refilled.
  const sealed = values.map((v, i) => {
    const s = sealOne(v, aads[i]!);
    return { ...s, iv: Buffer.from(s.iv) };
  });
  return {
    name,
    seal: () => each(values, (v, i) => sealOne(v, aads[i]!)),
    open: () => each(sealed, openOne),
    check: () => sameAs(values)(sealed.map(openOne)),
  };
}

/**
 * The floor plus what storing a batch of ciphertexts as text takes
 * (reference, no target): seal writes `nonce ‖ tag ‖ body` into a reused
 * buffer, encodes it as base64url and keeps every text until the batch is
 * done, as a batch write must (and as the plugin does); open decodes each
 * text before the decipher calls and keeps the values. The plugin stores
 * base64url text too, so the gap between this and the floor is the price
 * of a text format in a batch, not of the plugin.
 */
export function nodeCryptoText(values: readonly string[], aadLength: number): ValueSubject {
  const key = randomBytes(32);
  const aads = values.map(() => randomBytes(aadLength));
  const options = { authTagLength: 16 } as const;
  let out = Buffer.allocUnsafeSlow(64);
  const sealOne = (value: string, i: number) => {
    const iv = pooledNonce();
    const cipher = createCipheriv('aes-256-gcm', key, iv, options);
    cipher.setAAD(aads[i]!);
    const body = cipher.update(value, 'utf8');
    cipher.final();
    if (out.length < 28 + body.length) out = Buffer.allocUnsafeSlow(2 * (28 + body.length));
    out.set(iv, 0);
    out.set(cipher.getAuthTag(), 12);
    out.set(body, 28);
    return out.toString('base64url', 0, 28 + body.length);
  };
  const openOne = (text: string, i: number) => {
    const bytes = Buffer.from(text, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12), options);
    decipher.setAAD(aads[i]!);
    decipher.setAuthTag(bytes.subarray(12, 28));
    const plain = decipher.update(bytes.subarray(28));
    decipher.final();
    return plain.toString('utf8');
  };
  const sealed = values.map(sealOne);
  return {
    name: 'node:crypto floor + base64url text, batch kept (reference)',
    seal: () => (sink = values.map(sealOne)),
    open: () => (sink = sealed.map(openOne)),
    check: () => sameAs(values)(sealed.map(openOne)),
  };
}

/**
 * @47ng/cloak as prisma-field-encryption uses it: a key parsed once with
 * `parseKeySync`, then `encryptStringSync` / `decryptStringSync` per value
 * (AES-256-GCM, 12-byte nonce from `randomBytes`, text
 * `v1.aesgcm256.<fingerprint>.<iv>.<ciphertext>`; no AAD).
 */
export function cloak(values: readonly string[]): ValueSubject {
  const key = parseKeySync(generateKey());
  const sealed = values.map((v) => encryptStringSync(v, key));
  return {
    name: '@47ng/cloak (encryptStringSync / decryptStringSync)',
    seal: () => each(values, (v) => encryptStringSync(v, key)),
    open: () => each(sealed, (t) => decryptStringSync(t, key)),
    check: () => sameAs(values)(sealed.map((t) => decryptStringSync(t, key))),
  };
}

/**
 * typeorm-encrypted as its README configures it: an `EncryptionTransformer`
 * with a hex key, `aes-256-gcm` and a 16-byte IV; `to` seals a value into
 * base64 text (encryptData), `from` opens it (decryptData). No AAD.
 */
export function typeormEncrypted(values: readonly string[]): ValueSubject {
  const transformer = new EncryptionTransformer({ key: randomBytes(32).toString('hex'), algorithm: 'aes-256-gcm', ivLength: 16 });
  const sealed = values.map((v) => transformer.to(v) as string);
  return {
    name: 'typeorm-encrypted (EncryptionTransformer to / from)',
    seal: () => each(values, (v) => transformer.to(v)),
    open: () => each(sealed, (t) => transformer.from(t)),
    check: () => sameAs(values)(sealed.map((t) => transformer.from(t))),
  };
}
