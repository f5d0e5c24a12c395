// Telling a key configuration that does not match the stored data from
// altered rows, from what a verification scan met.

/**
 * What a verification scan counted: values per key id (and how many
 * failed), values per field that are no ciphertext at all (no key id can be
 * read from them), and rows checked by what the root key derives (an
 * `a1`/`a2` authenticator, blind indexes) and how many of those failed.
 *
 * @example
 * ```ts
 * const t: VerifyTally = { scanned: 0, values: 0, failed: 0, byKey: {}, byField: {}, rows: { checked: 0, failed: 0 } };
 * ```
 */
export interface VerifyTally {
  scanned: number;
  values: number;
  failed: number;
  byKey: Record<string, { values: number; failed: number; missing: boolean }>;
  /** Per `repository.field`: its stored values, and those that are not a chatcore ciphertext. */
  byField: Record<string, { values: number; malformed: number }>;
  rows: { checked: number; failed: number };
}

/**
 * The likely cause of a scan's failures, in one sentence. When every value
 * under a key id fails, that key's material is not the one the data was
 * written with (or the key is missing); when every row's values decrypt but
 * no authenticator or blind index matches, the root of the row
 * authenticators and blind indexes changed (the first key listed, or
 * `blind_index.key`): its order, when the first key decrypts values of its
 * own, else its order or its material; when no value of a field is
 * a chatcore ciphertext, the field holds plaintext (it was marked encrypted
 * after values were stored). Failures among values that otherwise check are
 * altered rows, and values among them that are no ciphertext at all are
 * said apart: plaintext written into the field outside chatcore.
 *
 * @example
 * ```ts
 * diagnose(tally, 'k1'); // { keysMismatch: true, diagnosis: 'The configured keys do not match the stored data: ...' }
 * ```
 */
export function diagnose(tally: VerifyTally, indexRootKeyId: string | undefined): { keysMismatch: boolean; diagnosis?: string } {
  if (tally.failed === 0) return { keysMismatch: false };
  const causes: string[] = [];
  for (const [id, k] of Object.entries(tally.byKey)) {
    if (k.failed === 0 || k.failed < k.values) continue;
    causes.push(k.missing ? `values under key id ${id}, which the keyring lacks (add it, decrypt-only)` : `wrong material for key id ${id} (none of its ${k.values} value(s) decrypt)`);
  }
  if (tally.rows.checked > 0 && tally.rows.failed === tally.rows.checked) {
    const root = indexRootKeyId === undefined ? undefined : tally.byKey[indexRootKeyId];
    if (indexRootKeyId === undefined) causes.push('no row authenticator or blind index matches: blind_index.key is not the key the rows were written with');
    else if (root && root.values > 0 && root.failed === 0) {
      // Its material decrypts its own values, so it is another key's place that changed.
      causes.push(`no row authenticator or blind index matches: key order changed (the first key listed, now ${indexRootKeyId}, decrypts its own values but does not root the stored blind indexes and row authenticators; list the original first key first again)`);
    } else if (!root || root.failed < root.values || root.values === 0) {
      // Nothing tells its material from its place: say both (a wrong material with values is named above).
      causes.push(`no row authenticator or blind index matches the first key listed, ${indexRootKeyId}, which roots them: the key order changed (list the original first key first again) or ${indexRootKeyId} is configured with other material than the rows were written with`);
    }
  }
  const plaintext = Object.entries(tally.byField)
    .filter(([, v]) => v.malformed > 0 && v.malformed === v.values)
    .map(([field, v]) => `${field} (none of its ${v.values} value(s) is a chatcore ciphertext)`);
  const sentences: string[] = [];
  if (causes.length) sentences.push(`The configured keys do not match the stored data: ${causes.join('; ')}.`);
  if (plaintext.length) {
    sentences.push(`Fields marked encrypted hold values that were never encrypted: ${plaintext.join('; ')}. They were stored before the field was marked sensitive: declare it as it was and encrypt it through a new field (see "Encrypting an existing field" in docs/encryption.md).`);
  }
  if (sentences.length) return { keysMismatch: true, diagnosis: sentences.join(' ') };
  // A few values that are no ciphertext at all are neither altered ciphertext nor a key problem: said apart from those.
  const notCiphertext = Object.values(tally.byField).reduce((n, v) => n + v.malformed, 0);
  const unauthenticated = tally.failed - notCiphertext;
  if (unauthenticated > 0) sentences.push(`${unauthenticated} stored value(s) or row(s) fail authentication while the others check: they were altered or copied from elsewhere; restore them from a backup.`);
  if (notCiphertext > 0) {
    sentences.push(`${notCiphertext} stored value(s) are not a chatcore ciphertext at all: plaintext or other data written into an encrypted field outside chatcore (by hand, or by an old bug), not an altered ciphertext and not a key problem. Reads of those rows fail: restore those values from a backup.`);
  }
  return { keysMismatch: false, diagnosis: sentences.join(' ') };
}
