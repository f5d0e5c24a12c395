// Null tests on fields that are only tested for null (json, bytes, encrypted
// without a blind index), on searchable encrypted fields and on arrays:
// `null`, `eq: null`, `ne: null` and `isNull` compile on optional fields,
// a value does not, and a required field takes none of them.
import { defineRepository, f, type Database } from '@chatcore/core';

const files = defineRepository('files', {
  id: f.id(),
  doc: f.json<{ title?: string }>().optional(),
  manifest: f.json<{ entries: string[] }>(),
  blob: f.bytes().optional(),
  digest: f.bytes(),
  ssn: f.string().optional().sensitive(),
  taxId: f.string().sensitive(),
  email: f.string().optional().sensitive({ searchable: true }),
  login: f.string().sensitive({ searchable: true }),
  labels: f.array(f.string()).optional(),
});

declare const db: Database<{ files: typeof files }>;

export async function nullTests(bytes: Uint8Array): Promise<void> {
  // --- json: only null tests
  // @ts-expect-error a json field is not compared by value
  await db.files.find({ where: { doc: { title: 'a' } } });
  await db.files.find({ where: { doc: { isNull: true } } });
  // @ts-expect-error eq of a json value
  await db.files.find({ where: { doc: { eq: { title: 'a' } } } });
  await db.files.find({ where: { doc: { eq: null } } });
  // @ts-expect-error ne of a json value
  await db.files.count({ doc: { ne: { title: 'a' } } });
  await db.files.count({ doc: { ne: null } });
  // @ts-expect-error null on a required json field: it is never null
  await db.files.find({ where: { manifest: null } });
  await db.files.find({ where: { doc: null } });
  // @ts-expect-error ne null on a required json field
  await db.files.updateMany({ manifest: { ne: null } }, { blob: null });
  await db.files.updateMany({ doc: { ne: null } }, { blob: null });

  // --- bytes: only null tests
  // @ts-expect-error a bytes field is not compared by value
  await db.files.find({ where: { blob: bytes } });
  await db.files.find({ where: { blob: null } });
  // @ts-expect-error ne of a bytes value
  await db.files.deleteMany({ blob: { ne: bytes } });
  await db.files.deleteMany({ blob: { ne: null } });
  // @ts-expect-error isNull on a required bytes field
  await db.files.exists({ digest: { isNull: false } });
  await db.files.exists({ blob: { isNull: false } });
  // @ts-expect-error eq null on a required bytes field
  await db.files.findOne({ where: { digest: { eq: null } } });
  await db.files.findOne({ where: { blob: { eq: null } } });

  // --- encrypted without a blind index: only null tests
  // @ts-expect-error ne of a value on an encrypted field
  await db.files.find({ where: { ssn: { ne: '123-45-6789' } } });
  await db.files.find({ where: { ssn: { ne: null } } });
  // @ts-expect-error ne null on a required encrypted field
  await db.files.count({ taxId: { ne: null } });
  await db.files.count({ not: { ssn: { ne: null } } });

  // --- encrypted with a blind index: eq and in of values, every null test
  // @ts-expect-error ne of a value on a searchable field (the blind index cannot answer it exactly)
  await db.files.find({ where: { email: { ne: 'a@example.com' } } });
  await db.files.find({ where: { email: { ne: null } } });
  // @ts-expect-error eq null on a required searchable field
  await db.files.find({ where: { login: { eq: null } } });
  await db.files.find({ where: { email: { eq: null } } });
  // @ts-expect-error eq of a value under not on a searchable field
  await db.files.find({ where: { not: { email: { eq: 'a@example.com' } } } });
  await db.files.find({ where: { not: { email: { eq: null } } } });
  // @ts-expect-error ne null under not on a required searchable field
  await db.files.find({ where: { not: { login: { ne: null } } } });
  await db.files.find({ where: { not: { email: { ne: null } } } });

  // --- arrays: items, and the null tests of the whole array
  // @ts-expect-error ne of an array value
  await db.files.find({ where: { labels: { ne: ['a'] } } });
  await db.files.find({ where: { labels: { ne: null } } });
}
