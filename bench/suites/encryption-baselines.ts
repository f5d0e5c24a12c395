import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';
import { decryptStringSync, encryptStringSync, generateKey, parseKeySync } from '@47ng/cloak';
import { EncryptionTransformer } from 'typeorm-encrypted';

/**
 * What every subject of the per-value benchmark does with one list of
 * values: `seal` encrypts each of them once, `open` decrypts each of what it
 * sealed at construction once. Both are synchronous loops that keep every
 * result until the call ends, as a batch write keeps its ciphertexts until
 * the database has them (and as the plugin's paths do); the caller divides
 * the CPU of a call by the number of values.
 */
export interface ValueSubject {
  readonly name: string;
  /** The sealed forms, in order. */
  readonly seal: () => unknown[];
  /** The opened values, in order (the suite checks them against the originals before timing). */
  readonly open: () => string[];
}

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
 * id). The AADs are built before timing, and seal keeps the nonce, tag and
 * body as buffers: nothing is encoded for storage. Nonces are slices of
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
  // Copies: pooled nonces are views of a buffer that is refilled.
  const sealed = values.map((v, i) => {
    const s = sealOne(v, aads[i]!);
    return { ...s, iv: Buffer.from(s.iv) };
  });
  return {
    name,
    seal: () => {
      const out = new Array<unknown>(values.length);
      for (let i = 0; i < values.length; i++) out[i] = sealOne(values[i]!, aads[i]!);
      return out;
    },
    open: () => {
      const out = new Array<string>(sealed.length);
      for (let i = 0; i < sealed.length; i++) {
        const s = sealed[i]!;
        const decipher = createDecipheriv('aes-256-gcm', key, s.iv, options);
        decipher.setAAD(aads[i]!);
        decipher.setAuthTag(s.tag);
        const plain = decipher.update(s.body);
        decipher.final();
        out[i] = plain.toString('utf8');
      }
      return out;
    },
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
    seal: () => values.map((v) => encryptStringSync(v, key)),
    open: () => sealed.map((t) => decryptStringSync(t, key)),
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
    seal: () => values.map((v) => transformer.to(v)),
    open: () => sealed.map((t) => transformer.from(t)!),
  };
}
