// Field builder rules: the modifiers that cannot go together, refused by
// defineRepository at run time, do not compile either.
// Each @ts-expect-error line has a twin right below it that compiles.
import { defineRepository, f } from '@chatcore/core';

export function secrets(): void {
  // @ts-expect-error secret() hashes strings: a number field cannot be secret
  f.integer().secret();
  f.string().secret();
  // @ts-expect-error an enum is not a free string: it cannot be secret
  f.enum(['a', 'b']).secret();
  f.text().secret();
  // @ts-expect-error a secret is hashed, so it cannot also be sensitive
  f.string().secret().sensitive();
  f.string().secret().optional();
  // @ts-expect-error a sensitive field cannot also be secret
  f.string().sensitive().secret();
  f.string().optional().secret();
  // @ts-expect-error a reference holds a plain record id: not secret
  f.string().references('users').secret();
  f.string().secret();
}

export function sensitive(): void {
  // @ts-expect-error a reference holds a plain record id: not sensitive
  f.string().references('conversations').sensitive();
  f.string().unique().sensitive({ searchable: true });
  // @ts-expect-error a sensitive field cannot become a reference
  f.string().sensitive().references('conversations');
  f.string().optional().references('conversations', { onDelete: 'set null' });
  // @ts-expect-error an enum field holds no record id
  f.enum(['a', 'b']).references('conversations');
  f.text().references('conversations');
  defineRepository('accounts', {
    id: f.id(),
    ownerId: f.string().references('users'),
    pin: f.string().secret(),
    note: f.text().optional().sensitive(),
  });
}

export function uniqueSecrets(): void {
  // @ts-expect-error a secret is a salted hash: duplicates never collide, so it cannot be unique
  f.string().secret().unique();
  f.string().secret().optional();
  // @ts-expect-error a unique field cannot become a secret, for the same reason
  f.string().unique().secret();
  f.string().unique().sensitive({ searchable: true });
  // @ts-expect-error a unique field encrypted without a blind index: ciphertexts never collide
  f.string().unique().sensitive();
  f.string().unique().sensitive({ searchable: true, normalize: { caseFold: true } });
  // @ts-expect-error searchable: false leaves it without a blind index too
  f.string().unique().sensitive({ searchable: false });
  f.string().unique().sensitive({ searchable: true });
  // @ts-expect-error an encrypted field without a blind index cannot become unique
  f.string().sensitive().unique();
  f.string().sensitive({ searchable: true }).unique();
  // indexed() is not refused: an index over ciphertext is dropped, the blind index is indexed anyway
  f.string().sensitive().indexed();
}

export function compositeUniqueSensitive(): void {
  const fields = { id: f.id(), tenant: f.string(), email: f.string().sensitive(), phone: f.string().sensitive({ searchable: true }) };
  // @ts-expect-error a composite unique key over a field encrypted without a blind index: ciphertexts never collide
  defineRepository('contacts', fields, { unique: [['tenant', 'email']] });
  defineRepository('contacts', fields, { unique: [['tenant', 'phone']] });
  // @ts-expect-error in a later constraint, and in any position
  defineRepository('contacts', fields, { unique: [['tenant', 'phone'], ['email', 'tenant']] });
  defineRepository('contacts', fields, { unique: [['tenant', 'phone'], ['phone', 'tenant']] });
  // @ts-expect-error searchable: false leaves it without a blind index too
  defineRepository('contacts', { id: f.id(), a: f.string(), b: f.string().sensitive({ searchable: false }) }, { unique: [['a', 'b']] });
  defineRepository('contacts', { id: f.id(), a: f.string(), b: f.string().sensitive({ searchable: true, normalize: { caseFold: true } }) }, { unique: [['a', 'b']] });
  // @ts-expect-error declared inline with the fields
  defineRepository('contacts', { id: f.id(), a: f.string(), b: f.text().optional().sensitive() }, { table: 'contacts', unique: [['b', 'a']] });
  defineRepository('contacts', { id: f.id(), a: f.string(), b: f.text().optional().sensitive() }, { table: 'contacts', indexes: [['b', 'a']] });
  const accounts = { id: f.id(), tenant: f.string(), pin: f.string().secret(), code: f.string() };
  // @ts-expect-error a composite unique key over a secret: salted hashes never collide
  defineRepository('accounts', accounts, { unique: [['tenant', 'pin']] });
  defineRepository('accounts', accounts, { unique: [['tenant', 'code']] });
  // @ts-expect-error a secret in a later constraint, declared inline
  defineRepository('accounts', { id: f.id(), a: f.string(), b: f.text().optional().secret() }, { unique: [['a'], ['b', 'a']] });
  defineRepository('accounts', { id: f.id(), a: f.string(), b: f.text().optional().secret() }, { unique: [['a'], ['a']] });
  const pages = defineRepository('pages', { id: f.id(), tenant: f.string(), slug: f.string() }, { unique: [['tenant', 'slug']] });
  void pages;
}

export function managedFields(): void {
  // @ts-expect-error the id is always set (generated when omitted): it cannot be optional
  defineRepository('notes', { id: f.id().optional() });
  defineRepository('notes', { id: f.id({ generate: 'uuidv4' }) });
  // @ts-expect-error the id is generated by f.id({ generate }), not by a default
  f.id().default('x');
  f.id({ generate: () => 'x' });
  // @ts-expect-error the id is a plain lookup key: not sensitive
  defineRepository('notes', { id: f.id().sensitive() });
  defineRepository('notes', { id: f.id(), body: f.text().sensitive() });
  // @ts-expect-error the id is not a secret
  defineRepository('notes', { id: f.id().secret() });
  defineRepository('notes', { id: f.id(), pin: f.string().secret() });
  // @ts-expect-error the version starts at 1: a default would be ignored
  defineRepository('notes', { id: f.id(), version: f.version().default(5) });
  defineRepository('notes', { id: f.id(), version: f.version(), revision: f.integer().default(5) });
  // @ts-expect-error the version is always set: it cannot be optional
  f.version().optional();
  f.integer().optional();
  // @ts-expect-error createdAt is always set, so it cannot be declared optional first
  defineRepository('notes', { id: f.id(), at: f.timestamp().optional().createdAt() });
  defineRepository('notes', { id: f.id(), at: f.timestamp().createdAt(), seenAt: f.timestamp().optional() });
  // @ts-expect-error updatedAt is always set, so it cannot be declared optional first
  f.timestamp().optional().updatedAt();
  f.timestamp().indexed().updatedAt();
  // @ts-expect-error a managed timestamp cannot be made optional afterwards
  f.timestamp().createdAt().optional();
  f.timestamp().createdAt().column('created');
  // @ts-expect-error a managed timestamp is not sensitive
  f.timestamp().updatedAt().sensitive();
  f.timestamp().optional().sensitive();
}

export function fieldNames(): void {
  // @ts-expect-error the id must be f.id(), not a plain string
  defineRepository('notes', { id: f.string() });
  defineRepository('notes', { id: f.id(), slug: f.string() });
  // @ts-expect-error and combines filter conditions: it cannot name a field
  defineRepository('notes', { id: f.id(), and: f.string() });
  defineRepository('notes', { id: f.id(), andThen: f.string() });
  // @ts-expect-error or combines filter conditions too
  defineRepository('notes', { id: f.id(), or: f.string().optional() });
  defineRepository('notes', { id: f.id(), order: f.string().optional() });
  // @ts-expect-error not negates a filter
  defineRepository('notes', { id: f.id(), not: f.boolean() });
  defineRepository('notes', { id: f.id().column('note_id'), note: f.boolean() });
  // @ts-expect-error a dash in a field name (a ConfigError at run time)
  defineRepository('notes', { id: f.id(), 'reply-to': f.string() });
  defineRepository('notes', { id: f.id(), reply_to: f.string() });
  // @ts-expect-error a field name starts with a letter, not _
  defineRepository('notes', { id: f.id(), _draft: f.boolean() });
  defineRepository('notes', { id: f.id(), draft_: f.boolean() });
  // @ts-expect-error every record has a constructor: it cannot name a field
  defineRepository('notes', { id: f.id(), constructor: f.string() });
  defineRepository('notes', { id: f.id(), maker: f.string() });
  // @ts-expect-error 64 characters: at most 63
  defineRepository('notes', { id: f.id(), f123456789012345678901234567890123456789012345678901234567890abc: f.string() });
  defineRepository('notes', { id: f.id(), f123456789012345678901234567890123456789012345678901234567890ab: f.string() });
  // @ts-expect-error a second f.id() field: only the field named id is the record id
  defineRepository('notes', { id: f.id(), other: f.id() });
  defineRepository('notes', { id: f.id(), other: f.string() });
  // @ts-expect-error f.id() on a field not named id
  defineRepository('notes', { id: f.id(), noteId: f.id({ generate: 'uuidv4' }) });
  defineRepository('notes', { id: f.id({ generate: 'uuidv4' }), noteId: f.string().references('notes') });
}

export function managedRoles(): void {
  // @ts-expect-error two f.version() fields: a repository has one version
  defineRepository('notes', { id: f.id(), version: f.version(), revision: f.version() });
  defineRepository('notes', { id: f.id(), version: f.version(), revision: f.integer() });
  // @ts-expect-error two createdAt() fields
  defineRepository('notes', { id: f.id(), createdAt: f.timestamp().createdAt(), postedAt: f.timestamp().createdAt() });
  defineRepository('notes', { id: f.id(), createdAt: f.timestamp().createdAt(), postedAt: f.timestamp().updatedAt() });
  // @ts-expect-error two updatedAt() fields, one of them renamed in storage
  defineRepository('notes', { id: f.id(), updatedAt: f.timestamp().updatedAt(), touchedAt: f.timestamp().updatedAt().column('touched') });
  defineRepository('notes', { id: f.id(), updatedAt: f.timestamp().updatedAt(), touchedAt: f.timestamp().column('touched') });
}

export function repositoryNames(wide: string): void {
  // @ts-expect-error a dash: a repository name is letters, digits and _
  defineRepository('chat-messages', { id: f.id() });
  defineRepository('chat_messages', { id: f.id() });
  // @ts-expect-error a repository name starts with a letter, not _ or a digit
  defineRepository('_messages', { id: f.id() });
  defineRepository('messages_', { id: f.id() });
  // @ts-expect-error 64 characters: at most 63
  defineRepository('m123456789012345678901234567890123456789012345678901234567890abc', { id: f.id() });
  defineRepository('m123456789012345678901234567890123456789012345678901234567890ab', { id: f.id() });
  // @ts-expect-error an empty name
  defineRepository('', { id: f.id() });
  defineRepository(wide, { id: f.id() });
  // @ts-expect-error a letter outside A-Z and a-z
  defineRepository('café', { id: f.id() });
  defineRepository(`notes_${wide}`, { id: f.id() });
}

export function tableNames(wide: string): void {
  // @ts-expect-error a dash: the drivers refuse the table name
  defineRepository('chats', { id: f.id() }, { table: 'chat-messages' });
  defineRepository('chats', { id: f.id() }, { table: 'chat_messages' });
  // @ts-expect-error a space and a quote in a table name
  defineRepository('chats', { id: f.id() }, { table: 'chats"; drop table x; --' });
  defineRepository('chats', { id: f.id() }, { table: '_chats' });
  // @ts-expect-error a table name cannot start with a digit
  defineRepository('chats', { id: f.id() }, { table: '2024_chats' });
  defineRepository('chats', { id: f.id() }, { table: 'chats_2024' });
  // @ts-expect-error 64 characters: PostgreSQL would truncate it
  defineRepository('chats', { id: f.id() }, { table: 't123456789012345678901234567890123456789012345678901234567890abc' });
  defineRepository('chats', { id: f.id() }, { table: 't123456789012345678901234567890123456789012345678901234567890ab' });
  // @ts-expect-error __name__ is reserved by Firestore
  defineRepository('chats', { id: f.id() }, { table: '__chats__' });
  defineRepository('chats', { id: f.id() }, { table: '__chats' });
  // @ts-expect-error an empty table name
  defineRepository('chats', { id: f.id() }, { table: '' });
  defineRepository('chats', { id: f.id() }, { table: wide });
  // @ts-expect-error with other options too
  defineRepository('chats', { id: f.id(), a: f.string(), b: f.string() }, { table: 'chats.v2', unique: [['a', 'b']] });
  defineRepository('chats', { id: f.id(), a: f.string(), b: f.string() }, { table: `chats_${wide}`, unique: [['a', 'b']] });
}

export function columnNames(wide: string): void {
  // @ts-expect-error a space: the SQL drivers refuse the column name
  f.string().column('author id');
  f.string().column('author_id');
  // @ts-expect-error a quote in a column name
  f.text().column('body"; drop table x; --');
  f.text().column('_body');
  // @ts-expect-error a column name cannot start with a digit
  f.integer().column('2fa_code');
  f.integer().column('code_2fa');
  // @ts-expect-error 64 characters: PostgreSQL would truncate it
  f.string().column('c123456789012345678901234567890123456789012345678901234567890abc');
  f.string().column('c123456789012345678901234567890123456789012345678901234567890ab');
  // @ts-expect-error on a managed timestamp too
  f.timestamp().createdAt().column('created-at');
  f.timestamp().createdAt().column(wide);
}

export function arrayItems(): void {
  // @ts-expect-error a reference item: the array would not keep it (a ConfigError)
  f.array(f.string().references('users'));
  f.array(f.string());
  // @ts-expect-error a unique item: an array holds values, not keys
  f.array(f.string({ max: 40 }).unique());
  f.array(f.string({ max: 40 }).indexed());
  // @ts-expect-error an encrypted item would stay in clear: encrypt the whole array
  f.array(f.string().sensitive());
  f.array(f.string()).sensitive();
  // @ts-expect-error a secret item would stay in clear too
  f.array(f.string().secret());
  f.array(f.enum(['a', 'b']));
}
