import { KeyError } from '@chatcore/core';
import type { Keyring } from '../keys/keyring.js';
import type { RepositoryPlan } from '../repository-plan.js';
import type { KeyUsage } from './reencrypt-job.js';

/**
 * Retire a key from a running keyring: refused (KeyError) for an unknown
 * key, the active key, one that `usage` (a fresh key-usage scan) still
 * finds on stored values, or while `unfinished` (the migration history)
 * names a migration that did not finish (a rename this process did not run
 * may keep values under the key under their old name); otherwise the key
 * leaves the ring and every cipher of the plans forgets it.
 *
 * @example
 * ```ts
 * const { scanned } = await retireKey(ring, plans, 'k1', () => keyUsage(context, {}), () => unfinishedMigrations(context));
 * ```
 */
export async function retireKey(ring: Keyring, plans: Iterable<RepositoryPlan>, keyId: string, usage: () => Promise<KeyUsage>, unfinished: () => Promise<readonly string[]>): Promise<{ scanned: number }> {
  if (!ring.has(keyId)) throw new KeyError(`No key with id ${keyId} in the keyring; nothing to retire.`, { info: { keyId } });
  if (ring.activeKeyId === keyId) throw new KeyError(`Key ${keyId} is the active key: activate another key and re-encrypt before retiring it.`, { info: { keyId } });
  const found = await usage();
  const remaining = found.byKey[keyId] ?? 0;
  const stranded = found.oldNames.filter((u) => (u.byKey[keyId] ?? 0) > 0);
  if (stranded.length > 0) {
    const where = stranded.map((u) => `${u.repository}.${u.from} (renamed to ${u.to}): ${u.byKey[keyId]}`).join(', ');
    throw new KeyError(`Key ${keyId} still protects values under the old name of a field an unfinished rename migration has not rewritten (${where}): finish the migration first (run migrate again), then re-encrypt and retire the key.`, { info: { keyId, remaining, fields: stranded.map((u) => `${u.repository}.${u.from}`) } });
  }
  const migrations = await unfinished();
  if (migrations.length > 0) {
    throw new KeyError(`Key ${keyId} cannot be retired while migration(s) ${migrations.join(', ')} did not finish: a rename of an encrypted field may still hold values under it under the old name, which resuming the migration needs. Finish the migration first (run migrate again), then retire the key.`, { info: { keyId, remaining, migrations } });
  }
  if (remaining > 0) {
    const where = Object.entries(found.byRepository).filter(([, m]) => (m[keyId] ?? 0) > 0).map(([r, m]) => `${r}: ${m[keyId]}`).join(', ');
    throw new KeyError(`Key ${keyId} still protects ${remaining} stored values (${where}); run reencrypt for those repositories, then retire it.`, { info: { keyId, remaining } });
  }
  ring.remove(keyId);
  for (const plan of plans) {
    for (const p of plan.fields.values()) p.cipher?.forget(keyId);
    plan.envelopeCipher?.forget(keyId);
  }
  return { scanned: found.scanned };
}
