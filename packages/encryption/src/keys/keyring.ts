import { createHash, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, KeyError } from '@chatcore/core';
import type { KeyProvider } from './key-provider.js';
import { checkKeySource, decodeKeyBytes, saltBytes, type KeySource } from './key-source.js';
import { MIN_PBKDF2_ITERATIONS_VALUE } from './constants.js';
import { keyWeakness, sameKeyBytes } from '@chatcore/core/plugin';

/**
 * Keyring settings: the keys, which one encrypts, which one keys the blind indexes.
 *
 * @example
 * ```ts
 * const config: KeyringConfig = { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }, { id: 'k2', key: randomBytes(32).toString('base64') }], activeKeyId: 'k2' };
 * ```
 */
export interface KeyringConfig {
  readonly keys: readonly KeySource[];
  /** The key new writes use; default: the only key. Required with several keys. */
  readonly activeKeyId?: string | undefined;
  /** The key blind indexes are derived from; default: the first key listed (it must not change, or lookups stop matching). */
  readonly indexKeyId?: string | undefined;
  /** A separate blind-index root key (32 bytes, base64 or hex); when set, indexKeyId is not used. */
  readonly indexKey?: string | undefined;
}

const HKDF_SALT = Buffer.from('chatcore/v1', 'utf8');

let readHeld: (ring: Keyring) => { roots: Buffer[]; indexRoot: Buffer; count: number };

/**
 * The key buffers a keyring holds, for tests that prove `wipe()` zeroes
 * them. Not exported from the package: the material is otherwise
 * unreachable (private fields).
 *
 * @example
 * ```ts
 * const held = heldKeyMaterial(ring); ring.wipe(); held.roots.every((b) => b.every((x) => x === 0)); // true
 * ```
 */
export function heldKeyMaterial(ring: Keyring): { roots: Buffer[]; indexRoot: Buffer; count: number } {
  return readHeld(ring);
}
/** Stretched passphrases, per provider, per (salt, iterations, passphrase) digest: once per process. */
const stretched = new WeakMap<KeyProvider, Map<string, Promise<Uint8Array>>>();

/** Two key ids with the same root key material. */
function sameRootsError(first: string, second: string): ConfigError {
  return new ConfigError(`Keys ${first} and ${second} are the same key material under two ids: give each key id its own random key.`, { info: { keyId: second } });
}

/** A blind-index key equal to a root key. */
function indexSameAsRootError(rootId: string, indexId: string): ConfigError {
  return new ConfigError(`The blind-index key is the same as root key ${rootId}: blind indexes need a key of their own (or leave blindIndex.key unset to derive them from ${indexId}).`, { info: { keyId: rootId } });
}

function stretchOnce(provider: KeyProvider, source: KeySource): Promise<Uint8Array> {
  let cache = stretched.get(provider);
  if (!cache) stretched.set(provider, (cache = new Map()));
  const iterations = source.iterations ?? MIN_PBKDF2_ITERATIONS_VALUE;
  const salt = saltBytes(source.salt!);
  const id = createHash('sha256').update(salt).update(`\0${iterations}\0`).update(source.passphrase!, 'utf8').digest('hex');
  let pending = cache.get(id);
  if (!pending) {
    pending = provider.deriveKey({ keyId: source.id, passphrase: source.passphrase!, salt, iterations });
    cache.set(id, pending);
    pending.catch(() => cache!.delete(id));
  }
  return pending;
}

/**
 * The keys of one encryption plugin: root keys by id (one active for new
 * writes, the others decrypt-only) and the HKDF subkeys derived from them,
 * per repository and field, cached on first use so the hot path only looks
 * them up.
 *
 * Subkeys: `HKDF-SHA256(ikm = root key, salt = "chatcore/v1", info = purpose ‖ 0 ‖ repository ‖ 0 ‖ field)`,
 * purpose `enc` for encryption and `bidx` for blind indexes.
 *
 * @example
 * ```ts
 * const ring = await Keyring.load({ keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] }, localKeyProvider());
 * const fieldKey = ring.encryptionKey('k1', 'users', 'email');
 * ```
 */
export class Keyring {
  // Key material lives in private fields: printing, spreading or serializing the keyring shows none of it.
  readonly #roots: Map<string, Buffer>;
  readonly #subkeys = new Map<string, KeyObject>();
  activeKeyId: string;
  readonly indexKeyId: string;

  /** The blind-index root: the index key's material, kept even after that key id is retired for encryption (indexes must keep matching). */
  readonly #indexRoot: Buffer;

  /** True when a separate blind-index key (`blindIndex.key`) roots blind indexes and row authenticators, not `indexKeyId`. */
  readonly separateIndexKey: boolean;

  private constructor(roots: Map<string, Buffer>, active: string, index: string, indexRoot?: Buffer) {
    this.#roots = roots;
    this.activeKeyId = active;
    this.indexKeyId = index;
    this.#indexRoot = indexRoot ?? roots.get(index)!;
    this.separateIndexKey = indexRoot !== undefined;
  }

  /** Check the configuration and resolve every root key (passphrases stretched once per process, wrapped keys unwrapped). */
  static async load(config: KeyringConfig, provider: KeyProvider): Promise<Keyring> {
    const ids = Keyring.check(config);
    const roots = new Map<string, Buffer>();
    for (const [i, source] of config.keys.entries()) {
      const kind = checkKeySource(source, i);
      let bytes: Uint8Array;
      if (kind === 'raw') bytes = decodeKeyBytes(source.key, source.id);
      else if (kind === 'passphrase') bytes = await stretchOnce(provider, source);
      else bytes = await provider.unwrapKey(source.id, Buffer.from(source.wrappedKey!, 'base64'));
      if (bytes.length !== 32) throw new KeyError(`Key ${source.id} resolved to ${bytes.length} bytes; a root key must be 32 bytes.`, { info: { keyId: source.id } });
      const root = Buffer.from(bytes);
      // The decoded or unwrapped copy is ours: zero it (a stretched passphrase is kept by the per-process cache).
      if (kind !== 'passphrase') bytes.fill(0);
      // A provider (a KMS, a custom deriveKey) can hand back bytes no one checked.
      const weakness = keyWeakness(root);
      if (weakness) throw new ConfigError(`Key ${source.id} resolved through the key provider ${weakness}: it is not random key material; check the provider and the key configured for ${source.id}.`, { info: { keyId: source.id } });
      for (const [other, known] of roots) {
        if (sameKeyBytes(known, root)) throw sameRootsError(other, source.id);
      }
      roots.set(source.id, root);
    }
    const indexRoot = config.indexKey === undefined ? undefined : decodeKeyBytes(config.indexKey, 'blind index');
    if (indexRoot) {
      for (const [id, root] of roots) {
        if (sameKeyBytes(root, indexRoot)) {
          indexRoot.fill(0);
          throw indexSameAsRootError(id, ids.index);
        }
      }
    }
    return new Keyring(roots, ids.active, ids.index, indexRoot);
  }

  /** Validate ids without resolving keys (used when the plugin is created, so mistakes surface at createDatabase). */
  static check(config: KeyringConfig): { active: string; index: string } {
    if (!config || !Array.isArray(config.keys) || config.keys.length === 0) {
      throw new ConfigError('encryption() needs at least one key: keys: [{ id: \'k1\', key: \'<32 random bytes, base64>\' }] (or set CHATCORE_ENCRYPTION_KEY).');
    }
    const seen = new Set<string>();
    for (const [i, s] of config.keys.entries()) {
      checkKeySource(s, i);
      if (seen.has(s.id)) throw new ConfigError(`Key id ${s.id} is listed twice; key ids must be unique.`);
      seen.add(s.id);
    }
    const only = config.keys.length === 1 ? config.keys[0]!.id : undefined;
    const active = config.activeKeyId ?? only;
    // The first key: append new keys at the end of the list, never in front.
    const index = config.indexKeyId ?? config.keys[0]!.id;
    Keyring.checkRawKeys(config.keys, config.indexKey, index);
    if (!active) throw new ConfigError('With several keys, set activeKeyId (or active: true on one key) to the key new writes use.');
    if (!seen.has(active)) throw new ConfigError(`activeKeyId ${active} is not one of the keys.`);
    if (!seen.has(index)) throw new ConfigError(`indexKeyId ${index} is not one of the keys.`);
    return { active, index };
  }

  /**
   * Raw root keys, and a raw blind-index key, are compared when the plugin
   * is created, so the mistake surfaces at createDatabase; passphrase and
   * wrapped keys when `load` resolves them. Each key is decoded once and
   * every copy zeroed.
   */
  private static checkRawKeys(keys: readonly KeySource[], indexKey: string | undefined, indexId: string): void {
    const index = indexKey === undefined ? undefined : decodeKeyBytes(indexKey, 'blind index');
    const raw: { id: string; bytes: Buffer }[] = [];
    try {
      for (const s of keys) {
        if (s.key === undefined) continue;
        const bytes = decodeKeyBytes(s.key, s.id);
        const twin = raw.find((r) => sameKeyBytes(r.bytes, bytes));
        raw.push({ id: s.id, bytes });
        if (twin) throw sameRootsError(twin.id, s.id);
        if (index !== undefined && sameKeyBytes(bytes, index)) throw indexSameAsRootError(s.id, indexId);
      }
    } finally {
      for (const r of raw) r.bytes.fill(0);
      index?.fill(0);
    }
  }

  /** Key ids in the ring. */
  keyIds(): string[] {
    return [...this.#roots.keys()];
  }

  has(keyId: string): boolean {
    return this.#roots.has(keyId);
  }

  /** The encryption subkey of a key id for one repository field (or `$record`). */
  encryptionKey(keyId: string, repository: string, field: string): KeyObject {
    return this.subkey('enc', keyId, repository, field);
  }

  /** The blind-index subkey for one repository field (always from the index key). */
  indexKey(repository: string, field: string): KeyObject {
    return this.subkey('bidx', this.indexKeyId, repository, field);
  }

  /**
   * The key of the first row-authenticator format (`a1`, HMAC-SHA256) of a
   * repository, kept to check rows written with it. Derived from the
   * blind-index root like blind indexes (it must not change when the
   * encryption key rotates), under its own purpose `auth`.
   */
  authKey(repository: string): KeyObject {
    return this.subkey('auth', this.indexKeyId, repository, '$row');
  }

  /**
   * The row-authenticator key of a repository (format `a2`): 64 bytes, one
   * SHA-256 block. From the blind-index root under its own purpose `auth2`.
   */
  rowAuthKey(repository: string): KeyObject {
    return this.subkey('auth2', this.indexKeyId, repository, '$row', 64);
  }

  /** Add a key at run time (e.g. from the CLI); `activate` makes new writes use it immediately. */
  async addKey(source: KeySource, provider: KeyProvider, activate = false): Promise<void> {
    if (this.#roots.has(source.id)) throw new ConfigError(`Key id ${source.id} is already in the keyring.`);
    const ring = await Keyring.load({ keys: [source] }, provider);
    const root = ring.#roots.get(source.id)!;
    for (const [other, known] of [...this.#roots, ['blind index', this.#indexRoot] as const]) {
      if (sameKeyBytes(known, root)) {
        root.fill(0);
        throw new ConfigError(`Key ${source.id} is the same key material as ${other === 'blind index' ? 'the blind-index key' : `key ${other}`}: a new key must be new random bytes.`, { info: { keyId: source.id } });
      }
    }
    this.#roots.set(source.id, root);
    if (activate) this.activeKeyId = source.id;
  }

  /** Make an existing key the one new writes use. */
  activate(keyId: string): void {
    this.root(keyId);
    this.activeKeyId = keyId;
  }

  /**
   * Stop using a key for decryption (the caller has checked no ciphertext
   * uses it). If it is the index key, its material stays as the blind-index
   * root only: keep it in configuration as such.
   */
  remove(keyId: string): void {
    if (keyId === this.activeKeyId) throw new ConfigError(`Key ${keyId} is the active key; activate another key before retiring it.`);
    this.root(keyId);
    this.#roots.delete(keyId);
    for (const k of [...this.#subkeys.keys()]) if (k.split('\0')[1] === keyId) this.#subkeys.delete(k);
  }

  /** Overwrite the root key bytes held in memory and forget every subkey (at close). */
  wipe(): void {
    for (const root of this.#roots.values()) root.fill(0);
    this.#indexRoot.fill(0);
    this.#roots.clear();
    this.#subkeys.clear();
  }

  static {
    readHeld = (ring) => ({ roots: [...ring.#roots.values()], indexRoot: ring.#indexRoot, count: ring.#roots.size });
  }

  /** Key ids only: the key material never prints. */
  toJSON(): { keyIds: string[]; activeKeyId: string; indexKeyId: string } {
    return { keyIds: this.keyIds(), activeKeyId: this.activeKeyId, indexKeyId: this.indexKeyId };
  }

  toString(): string {
    return `Keyring(${this.keyIds().join(', ')}; active ${this.activeKeyId})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  private root(keyId: string): Buffer {
    const root = this.#roots.get(keyId);
    if (!root) {
      throw new KeyError(`No key with id ${keyId} in the keyring: add it to keys (it can be decrypt-only) to read data written under it.`, { info: { keyId } });
    }
    return root;
  }

  private subkey(purpose: 'enc' | 'bidx' | 'auth' | 'auth2', keyId: string, repository: string, field: string, length = 32): KeyObject {
    const id = `${purpose}\0${keyId}\0${repository}\0${field}`;
    let key = this.#subkeys.get(id);
    if (!key) {
      const info = Buffer.from(`${purpose}\0${repository}\0${field}`, 'utf8');
      const root = purpose === 'enc' ? this.root(keyId) : this.#indexRoot;
      const raw = Buffer.from(hkdfSync('sha256', root, HKDF_SALT, info, length));
      key = createSecretKey(raw);
      raw.fill(0); // the KeyObject holds its own copy
      this.#subkeys.set(id, key);
    }
    return key;
  }
}
