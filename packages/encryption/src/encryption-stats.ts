/**
 * Values sealed and opened under one key id.
 *
 * @example
 * ```ts
 * const { sealed, opened } = enc.stats().byKey['2026-01'] ?? { sealed: 0, opened: 0 };
 * ```
 */
export interface KeyCounters {
  sealed: number;
  opened: number;
}

/**
 * Counters of the encryption plugin, for one repository or in total.
 *
 * @example
 * ```ts
 * const users: EncryptionCounters | undefined = enc.stats().repositories.users;
 * if (users && users.integrityFailures > 0) alert('tampered ciphertext read from users');
 * ```
 */
export interface EncryptionCounters {
  /** Values encrypted: one per field value in field mode, one per record envelope in record mode (writes and re-encryption). */
  readonly sealed: number;
  /** Values decrypted and authenticated (reads, re-encryption, verify). */
  readonly opened: number;
  /** Blind indexes computed (HMAC-SHA256), for writes and for lookups. */
  readonly blindIndexes: number;
  /** Values or rows a read or write could not authenticate (IntegrityError; each also reported as a security event). */
  readonly integrityFailures: number;
  /** Values a read or write found under a key id the keyring lacks (KeyError; also a security event). */
  readonly missingKeys: number;
  /** Rows a blind-index read left out because the decrypted value did not match the lookup (also a security event). */
  readonly indexMismatches: number;
  /** Sealed and opened values per key id: which keys are in use. */
  readonly byKey: Readonly<Record<string, Readonly<KeyCounters>>>;
}

/**
 * A snapshot of `encryptionPlugin.stats()`: totals, the keyring's state,
 * and the counters of each protected repository. Counters start at zero
 * when the plugin is created and survive `close()`.
 *
 * @example
 * ```ts
 * const s: EncryptionStats = db.plugin<EncryptionPlugin>('encryption')!.stats();
 * console.log(s.sealed, s.opened, s.activeKeyId, Object.keys(s.byKey));
 * ```
 */
export interface EncryptionStats extends EncryptionCounters {
  /** The key new values are sealed under (undefined before connect and after close). */
  readonly activeKeyId: string | undefined;
  /** Key ids in the keyring (empty before connect and after close). */
  readonly keyIds: readonly string[];
  readonly repositories: Readonly<Record<string, EncryptionCounters>>;
}

/**
 * The live counters of one repository: plain numbers that the hot path
 * increments (seal and open counts sit on each cipher's key slot, so the
 * per-value cost is one increment of a field it already holds).
 *
 * @example
 * ```ts
 * const counters = new RepositoryCounters();
 * counters.forKey('k1').sealed++;
 * ```
 */
export class RepositoryCounters {
  blindIndexes = 0;
  integrityFailures = 0;
  missingKeys = 0;
  indexMismatches = 0;
  private readonly keys = new Map<string, KeyCounters>();

  /** The counters of a key id, created on first use and kept after the key is retired. */
  forKey(keyId: string): KeyCounters {
    let c = this.keys.get(keyId);
    if (!c) this.keys.set(keyId, (c = { sealed: 0, opened: 0 }));
    return c;
  }

  /** A copy, with sealed and opened summed over key ids. */
  snapshot(): EncryptionCounters {
    const byKey: Record<string, KeyCounters> = {};
    let sealed = 0, opened = 0;
    for (const [id, c] of this.keys) {
      byKey[id] = { ...c };
      sealed += c.sealed;
      opened += c.opened;
    }
    return { sealed, opened, blindIndexes: this.blindIndexes, integrityFailures: this.integrityFailures, missingKeys: this.missingKeys, indexMismatches: this.indexMismatches, byKey };
  }
}

/**
 * Sum repository snapshots into totals.
 *
 * @example
 * ```ts
 * const total = sumCounters(Object.values(perRepository));
 * ```
 */
export function sumCounters(parts: readonly EncryptionCounters[]): EncryptionCounters {
  const byKey: Record<string, KeyCounters> = {};
  let sealed = 0, opened = 0, blindIndexes = 0, integrityFailures = 0, missingKeys = 0, indexMismatches = 0;
  for (const p of parts) {
    sealed += p.sealed;
    opened += p.opened;
    blindIndexes += p.blindIndexes;
    integrityFailures += p.integrityFailures;
    missingKeys += p.missingKeys;
    indexMismatches += p.indexMismatches;
    for (const [id, c] of Object.entries(p.byKey)) {
      const t = (byKey[id] ??= { sealed: 0, opened: 0 });
      t.sealed += c.sealed;
      t.opened += c.opened;
    }
  }
  return { sealed, opened, blindIndexes, integrityFailures, missingKeys, indexMismatches, byKey };
}
