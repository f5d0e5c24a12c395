// Compiled by ../typings.test.ts: the escape hatch's types describe storage.
// Every line marked @ts-expect-error must be an error; everything else compiles.
import { defineRepository, f, type Database, type RecordOf } from '@chatcore/core';
import type { BlindIndex, Ciphertext, RowAuthenticatorTag, Sealed, SealedEnvelope, SqlDriver, SqlRowOf } from '@chatcore/sql';

const users = defineRepository('users', {
  id: f.id(),
  name: f.string(),
  email: f.string().unique().sensitive({ searchable: true }),
  ssn: f.string().optional().sensitive(),
  password: f.string().secret(),
  age: f.integer().optional(),
  version: f.version(),
});
const notes = defineRepository('notes', {
  id: f.id(),
  conversationId: f.string(),
  title: f.string(),
  author: f.string().sensitive({ searchable: true }),
  createdAt: f.timestamp().createdAt(),
});
type Repos = { users: typeof users; notes: Sealed<typeof notes, 'conversationId'> };

export async function storageTypes(driver: SqlDriver, db: Database<{ users: typeof users }>) {
  const k = driver.kysely<Repos>();
  const row = await k.selectFrom('users').selectAll().executeTakeFirstOrThrow();
  const email: Ciphertext = row.email;
  const ssn: Ciphertext | null = row.ssn;
  const index: BlindIndex = row.email_bidx;
  const auth: RowAuthenticatorTag | null = row.row_auth;
  const name: string = row.name;
  // @ts-expect-error an encrypted column holds ciphertext: comparing it with a plaintext string cannot match
  await k.selectFrom('users').selectAll().where('email', '=', 'ada@example.com').execute();
  await k.selectFrom('users').selectAll().where('email', '=', email).execute();
  // @ts-expect-error a blind index is not the value either
  await k.selectFrom('users').selectAll().where('email_bidx', '=', 'ada@example.com').execute();
  await k.selectFrom('users').selectAll().where('email_bidx', '=', index).execute();
  // @ts-expect-error writing plaintext into an encrypted column does not compile (it would store it in clear)
  await k.updateTable('users').set({ ssn: '078-05-1120' }).where('id', '=', row.id).execute();
  await k.updateTable('users').set({ ssn: null }).where('id', '=', row.id).execute();
  // @ts-expect-error secret columns are not part of the stored row type
  await k.selectFrom('users').select(['id', 'password']).execute();
  await k.selectFrom('users').select(['id', 'name']).execute();
  // @ts-expect-error tables are named after the repositories
  await k.selectFrom('user').selectAll().execute();
  await k.selectFrom('users').selectAll().execute();

  // Record mode: the sealed fields live in the envelope; clear fields and blind indexes stay columns.
  const note = await k.selectFrom('notes').selectAll().executeTakeFirstOrThrow();
  const envelope: SealedEnvelope = note.sealed;
  const conversation: string = note.conversation_id;
  const authorIndex: BlindIndex = note.author_bidx;
  // @ts-expect-error a sealed field has no column
  await k.selectFrom('notes').select(['title']).execute();
  await k.selectFrom('notes').select(['conversation_id']).execute();

  // Records come back through the plugins, typed as records.
  const found: Array<RecordOf<typeof users>> = await db.users.query(k.selectFrom('users').selectAll().where('email_bidx', '=', index));
  const plainEmail: string = found[0]!.email;
  // @ts-expect-error records never carry secrets
  const password = found[0]!.password;
  const version: number = found[0]!.version;
  return { email, ssn, index, auth, name, envelope, conversation, authorIndex, plainEmail, password, version };
}

// Without the encryption plugin (development), the same columns hold plaintext.
export type Dev = SqlRowOf<typeof users, 'plaintext'>;
export const dev = (r: Dev): string => r.email;
