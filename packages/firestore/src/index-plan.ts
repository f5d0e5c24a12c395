import type { RepositorySchema } from '@chatcore/core/driver';

/**
 * One composite index in firestore.indexes.json form.
 *
 * @example
 * ```ts
 * const idx: FirestoreIndex = { collectionGroup: 'messages', queryScope: 'COLLECTION', fields: [{ fieldPath: 'conversationId', order: 'ASCENDING' }] };
 * ```
 */
export interface FirestoreIndex {
  readonly collectionGroup: string;
  readonly queryScope: 'COLLECTION';
  readonly fields: readonly { readonly fieldPath: string; readonly order: 'ASCENDING' | 'DESCENDING' }[];
}

/**
 * The content of a firestore.indexes.json file.
 *
 * @example
 * ```ts
 * const report = await firestore({ projectId: 'my-project' }).ensureSchema([messages.schema], { mode: 'verify' });
 * writeFileSync('firestore.indexes.json', JSON.stringify(report.artifacts!.firestoreIndexes as FirestoreIndexFile, null, 2));
 * ```
 */
export interface FirestoreIndexFile {
  readonly indexes: readonly FirestoreIndex[];
  readonly fieldOverrides: readonly unknown[];
}

/**
 * The composite indexes the declared repositories need. Firestore indexes
 * single fields by itself; a query with an equality on one field and an
 * order or range on another needs a composite index. From each declared
 * composite index `[a, b, c]` this makes the ascending and the
 * last-key-descending variants (equality on the leading fields, newest
 * first on the last: the chat-history shape), and for each indexed or
 * unique field the same pair with each managed timestamp.
 *
 * @example
 * ```ts
 * const file = planIndexes([messages.schema]); // write it to firestore.indexes.json and deploy
 * ```
 */
export function planIndexes(schemas: readonly RepositorySchema[]): FirestoreIndexFile {
  const out = new Map<string, FirestoreIndex>();
  const add = (collectionGroup: string, fields: readonly string[]) => {
    for (const lastDir of ['ASCENDING', 'DESCENDING'] as const) {
      const entries = fields.map((fieldPath, i) => ({ fieldPath, order: i === fields.length - 1 ? lastDir : ('ASCENDING' as const) }));
      entries.push({ fieldPath: '__name__', order: lastDir });
      const index: FirestoreIndex = { collectionGroup, queryScope: 'COLLECTION', fields: entries };
      out.set(JSON.stringify(index), index);
    }
  };
  for (const s of schemas) {
    const times = [s.createdAtField, s.updatedAtField].filter((f): f is string => !!f);
    for (const idx of s.indexes) {
      if (idx.fields.includes('id')) continue;
      if (idx.fields.length > 1) add(s.table, idx.fields);
      else for (const t of times) if (t !== idx.fields[0]) add(s.table, [idx.fields[0]!, t]);
    }
  }
  return { indexes: [...out.values()], fieldOverrides: [] };
}
