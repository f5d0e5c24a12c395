// db.<repo>.query(): only a select builder whose rows are this repository's
// stored rows compiles. Each @ts-expect-error line has a twin right below it
// that compiles.
import { defineRepository, f, type AnyRepositoryDef, type Database, type RecordOf, type Repository, type RowQuery, type WholeRows } from '@chatcore/core';
import type { Sealed, SqlDriver } from '@chatcore/sql';
import { db, users, conversations, messages } from './schema.js';

export async function writtenQueries(driver: SqlDriver): Promise<void> {
  const k = driver.kysely<{ users: typeof users; conversations: typeof conversations; messages: typeof messages }>();
  const plain = driver.kysely<{ users: typeof users; conversations: typeof conversations }, 'plaintext'>();

  // --- another table's rows are not this repository's
  // @ts-expect-error conversations' rows lack users' columns (name, email, ...)
  await db.users.query(k.selectFrom('conversations').selectAll());
  await db.users.query(k.selectFrom('users').selectAll());
  // @ts-expect-error users' rows are not conversations, in plaintext mode either
  await db.conversations.query(plain.selectFrom('users').selectAll());
  await db.conversations.query(plain.selectFrom('conversations').selectAll());

  // --- a partial select lacks columns
  // @ts-expect-error the rows lack email, ssn, age, ...: select whole rows
  await db.users.query(k.selectFrom('users').select(['id', 'name']));
  await db.users.query(k.selectFrom('users').selectAll().where('age', '>=', 18));

  // --- secrets are never selected
  // @ts-expect-error password is a secret: the stored row type has no such column
  await db.users.query(k.selectFrom('users').select(['id', 'password']));
  await db.users.query(k.selectFrom('users').selectAll().select(['id']));
  // @ts-expect-error a column named after a secret field does not compile either
  await db.users.query(k.selectFrom('users').selectAll().select((eb) => eb.val('hash').as('password')));
  await db.users.query(k.selectFrom('users').selectAll().select((eb) => eb.val(1).as('rank')));

  // --- a write is not a select
  // @ts-expect-error an insert builder declares no row type
  await db.conversations.query(k.insertInto('conversations').values({ id: 'c', user_id: 'u', message_count: 0, archived: false, created_at: new Date(), version: 1 }).returningAll());
  await db.conversations.query(k.selectFrom('conversations').selectAll().where('id', '=', 'c'));

  // --- a join selects the table's own columns
  // @ts-expect-error selectAll('users') gives users' rows, not conversations'
  await db.conversations.query(k.selectFrom('conversations').innerJoin('users', 'users.id', 'conversations.user_id').selectAll('users'));
  const joined = await db.conversations.query(
    k.selectFrom('conversations').innerJoin('users', 'users.id', 'conversations.user_id').selectAll('conversations').where('users.active', '=', true),
  );
  joined[0]?.messageCount.toFixed();

  // --- subqueries, ordering, paging, locking, plaintext mode and transactions keep compiling
  const rows: Array<RecordOf<typeof messages>> = await db.messages.query(
    k.selectFrom('messages').selectAll()
      .where('conversation_id', 'in', k.selectFrom('conversations').select('id').where('archived', '=', false))
      .orderBy('created_at', 'desc').limit(20).offset(20).forUpdate(),
  );
  // @ts-expect-error records never carry secrets
  (await db.users.query(plain.selectFrom('users').selectAll()))[0]?.password;
  (await db.users.query(plain.selectFrom('users').selectAll()))[0]?.email.toUpperCase();
  await db.transaction(async (tx) => {
    // @ts-expect-error the check holds on tx.<repo> too
    await tx.users.query(k.selectFrom('messages').selectAll());
    await tx.users.query(k.selectFrom('users').selectAll().forUpdate());
  });

  // --- untyped queries get the run-time check only
  const untyped = { compile: () => ({ sql: 'select * from users', parameters: [] }) } as RowQuery<any>;
  await db.users.query(untyped);
  void rows;
}

// Record mode: the sealed fields are in the envelope, not columns of their own.
export async function sealedQueries(driver: SqlDriver): Promise<void> {
  const k = driver.kysely<{ messages: Sealed<typeof messages, 'conversationId'>; users: typeof users }>();
  // @ts-expect-error a sealed table's rows are still not users' rows
  await db.users.query(k.selectFrom('messages').selectAll());
  await db.messages.query(k.selectFrom('messages').selectAll());
}

// A column() override names the column in the row types and in the check.
const replies = defineRepository('replies', { id: f.id(), body: f.text().column('content'), authorID: f.string().column('author_id') });
declare const withReplies: Database<{ replies: typeof replies }>;
export async function renamedColumns(driver: SqlDriver): Promise<void> {
  const k = driver.kysely<{ replies: typeof replies }>();
  // @ts-expect-error the column is content, not body
  await k.selectFrom('replies').select(['id', 'body']).execute();
  await k.selectFrom('replies').select(['id', 'content', 'author_id']).execute();
  // @ts-expect-error the rows lack author_id
  await withReplies.replies.query(k.selectFrom('replies').select(['id', 'content']));
  await withReplies.replies.query(k.selectFrom('replies').selectAll());
}

// Code generic over repositories: D's fields are not known, the run-time check decides.
export async function anyRepository(driver: SqlDriver, repo: Repository<AnyRepositoryDef>): Promise<void> {
  const k = driver.kysely<{ users: typeof users }>();
  const rows: Array<RecordOf<AnyRepositoryDef>> = await repo.query(k.selectFrom('users').selectAll());
  void rows;
}

// WholeRows names what is wrong.
const probe = defineRepository('probe', { id: f.id(), name: f.string(), password: f.string().secret() });
// @ts-expect-error a partial row lacks name, not id
export const slimWrong: WholeRows<typeof probe, { id: string }> = { 'rows lack columns': 'id' };
export const slim: WholeRows<typeof probe, { id: string }> = { 'rows lack columns': 'name' };
// @ts-expect-error a secret column is named as such
export const secretWrong: WholeRows<typeof probe, { id: string; name: string; password: string }> = { 'rows lack columns': 'password' };
export const secret: WholeRows<typeof probe, { id: string; name: string; password: string }> = { 'rows carry secret columns': 'password' };
export const whole: WholeRows<typeof probe, { id: string; name: string }> = 'anything: unknown';
