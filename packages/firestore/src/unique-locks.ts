import { createHash } from 'node:crypto';
import type { CollectionReference, DocumentReference } from '@google-cloud/firestore';
import type { IndexSchema, RepositorySchema, StoredRow } from '@chatcore/core/driver';
import { encodeValue } from './value-codec.js';

/**
 * Firestore has no unique constraints. Each value of a `unique()` field (or
 * composite unique key) is claimed by a lock document in the companion
 * collection `<table>__unique`, whose id is a hash of the value and whose
 * body names the owning record. Locks are created, moved and deleted in the
 * same commit as the record, so a second record with the same value fails
 * with ALREADY_EXISTS (batches) or a read of the lock (transactions). Like
 * SQL, a key with a null part claims nothing.
 *
 * @example
 * ```ts
 * for (const key of uniqueKeys(schema)) console.log(key.name, key.fields);
 * ```
 */
export function uniqueKeys(schema: RepositorySchema): readonly IndexSchema[] {
  let keys = cache.get(schema);
  if (!keys) {
    keys = schema.indexes.filter((i) => i.unique && !(i.fields.length === 1 && i.fields[0] === 'id'));
    cache.set(schema, keys);
  }
  return keys;
}
const cache = new WeakMap<RepositorySchema, readonly IndexSchema[]>();

/**
 * The companion collection that holds the lock documents of a collection.
 *
 * @example
 * ```ts
 * lockCollection(db.collection('users')).id; // 'users__unique'
 * ```
 */
export function lockCollection(col: CollectionReference): CollectionReference {
  return col.firestore.collection(`${col.id}__unique`);
}

/**
 * The lock documents `row` claims, one per unique key without a null part.
 *
 * @example
 * ```ts
 * const locks = lockRefs(schema, col, row); // [{ key, ref }]
 * ```
 */
export function lockRefs(schema: RepositorySchema, col: CollectionReference, row: StoredRow | null): { key: IndexSchema; ref: DocumentReference }[] {
  if (!row || uniqueKeys(schema).length === 0) return [];
  const out: { key: IndexSchema; ref: DocumentReference }[] = [];
  const locks = lockCollection(col);
  for (const key of uniqueKeys(schema)) {
    const parts: unknown[] = [];
    let hasNull = false;
    for (const f of key.fields) {
      const v = row[f];
      if (v === null || v === undefined) hasNull = true;
      parts.push(tag(encodeValue(schema.fields[f]!, v)));
    }
    if (hasNull) continue;
    const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
    out.push({ key, ref: locks.doc(`${key.name}-${digest}`) });
  }
  return out;
}

function tag(v: unknown): unknown {
  if (typeof v === 'bigint') return { b: v.toString() };
  if (v instanceof Uint8Array) return { y: Buffer.from(v).toString('base64') };
  if (v !== null && typeof v === 'object' && typeof (v as { toMillis?: unknown }).toMillis === 'function') return { t: (v as { toMillis(): number }).toMillis() };
  if (Array.isArray(v)) return v.map(tag);
  return v;
}
