// Telling a key configuration that does not match the stored data from
// altered rows, from what a verification scan met.

/**
 * What a verification scan counted: values per key id (and how many
 * failed), and rows whose authenticator was checked.
 *
 * @example
 * ```ts
 * const t: VerifyTally = { scanned: 0, values: 0, failed: 0, byKey: {}, rows: { checked: 0, failed: 0 } };
 * ```
 */
export interface VerifyTally {
  scanned: number;
  values: number;
  failed: number;
  byKey: Record<string, { values: number; failed: number; missing: boolean }>;
  rows: { checked: number; failed: number };
}

/**
 * The likely cause of a scan's failures, in one sentence. When every value
 * under a key id fails, that key's material is not the one the data was
 * written with (or the key is missing); when every row's values decrypt but
 * no authenticator matches, the root of the row authenticators changed
 * (the first key listed, or `blind_index.key`). Failures among values that
 * otherwise check are altered rows.
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
    causes.push(indexRootKeyId === undefined
      ? 'no row authenticator matches: blind_index.key is not the key the rows were written with'
      : `no row authenticator matches: key order changed (the first key listed, now ${indexRootKeyId}, roots the blind indexes and row authenticators; list the original first key first again)`);
  }
  if (causes.length) return { keysMismatch: true, diagnosis: `The configured keys do not match the stored data: ${causes.join('; ')}.` };
  return { keysMismatch: false, diagnosis: `${tally.failed} stored value(s) or row(s) fail authentication while the others check: they were altered or copied from elsewhere; restore them from a backup.` };
}
