import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, defineRepository, f } from '@chatcore/core';

/** A builder chained without the types' checks, as plain JavaScript could. */
interface Loose {
  optional(): Loose;
  default(value: unknown): Loose;
  unique(): Loose;
  secret(): Loose;
  sensitive(): Loose;
  createdAt(): Loose;
}
const loose = (field: unknown) => field as Loose;

/** The message of the ConfigError defineRepository throws for these fields (and options). */
function refusal(fields: Record<string, unknown>, options: object = {}): string {
  try {
    defineRepository('things', { id: f.id(), ...fields } as never, options as never);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  assert.unreachable('defineRepository accepted the fields');
  return '';
}

test('a secret cannot be unique, in either order: its salted hashes never collide', () => {
  assert.match(refusal({ pin: loose(f.string().secret()).unique() }), /things\.pin is secret\(\) and unique\(\)/);
  assert.match(refusal({ pin: loose(f.string().unique()).secret() }), /things\.pin is secret\(\) and unique\(\)/);
  assert.ok(defineRepository('things', { id: f.id(), pin: f.string().secret() }).schema.fields.pin?.secret);
});


test('a unique field encrypted without a blind index is refused: ciphertexts never collide', () => {
  const why = /things\.email is unique\(\) and sensitive\(\) without a blind index: .*declare it sensitive\(\{ searchable: true \}\)/;
  assert.match(refusal({ email: loose(f.string().unique()).sensitive() }), why);
  assert.match(refusal({ email: loose(f.string().sensitive()).unique() }), why);
  const users = defineRepository('users', { id: f.id(), email: f.string().unique().sensitive({ searchable: true }) });
  assert.equal(users.schema.fields.email?.sensitive?.searchable, true);
});

test('a composite unique constraint over a field encrypted without a blind index is refused, as a unique field is', () => {
  const fields = { tenant: f.string(), email: f.string().sensitive(), phone: f.string().sensitive({ searchable: true }) };
  const why = /things: the unique constraint \(tenant, email\) includes email, which is sensitive\(\) without a blind index: .*declare it sensitive\(\{ searchable: true \}\)/;
  assert.match(refusal(fields, { unique: [['tenant', 'email']] }), why);
  assert.match(refusal(fields, { unique: [['tenant', 'phone'], ['phone', 'email']] }), /\(phone, email\) includes email/);
  const contacts = defineRepository('contacts', { id: f.id(), ...fields }, { unique: [['tenant', 'phone']], indexes: [['tenant', 'email']] });
  assert.equal(contacts.schema.indexes.filter((i) => i.unique).map((i) => i.fields), [['tenant', 'phone']]);
});

test('a composite unique constraint over a secret is refused, as a unique secret is: salted hashes never collide', () => {
  const fields = { tenant: f.string(), pin: f.string().secret(), code: f.string() };
  const why = /things: the unique constraint \(tenant, pin\) includes pin, which is secret\(\): .*salted hash.*drop pin from the constraint/;
  assert.match(refusal(fields, { unique: [['tenant', 'pin']] }), why);
  assert.match(refusal(fields, { unique: [['tenant', 'code'], ['code', 'pin']] }), /\(code, pin\) includes pin, which is secret\(\)/);
  const accounts = defineRepository('accounts', { id: f.id(), ...fields }, { unique: [['tenant', 'code']] });
  assert.equal(accounts.schema.indexes.filter((i) => i.unique).map((i) => i.fields), [['tenant', 'code']]);
});

test('the id and managed fields refuse optional(), default(), sensitive() and secret(): chatcore sets them', () => {
  assert.match(refusal({ id: loose(f.id()).optional() }), /things\.id is the record id, which chatcore sets, so it cannot be optional\(\)/);
  assert.match(refusal({ id: loose(f.id()).default('x') }), /things\.id .* cannot be given a default\(\)/);
  assert.match(refusal({ id: loose(f.id()).sensitive() }), /things\.id .* cannot be sensitive\(\)/);
  assert.match(refusal({ id: loose(f.id()).secret() }), /things\.id .* cannot be secret\(\)/);
  assert.match(refusal({ version: loose(f.version()).default(5) }), /things\.version is f\.version\(\), which chatcore sets, so it cannot be given a default\(\)/);
  assert.match(refusal({ version: loose(f.version()).optional() }), /cannot be optional\(\)/);
  assert.match(refusal({ at: loose(f.timestamp()).optional().createdAt() }), /things\.at is createdAt\(\), .* cannot be optional\(\)/);
  assert.match(refusal({ at: loose(f.timestamp().updatedAt()).sensitive() }), /things\.at is updatedAt\(\), .* cannot be sensitive\(\)/);
  const notes = defineRepository('notes', { id: f.id(), at: f.timestamp().createdAt(), version: f.version() });
  assert.equal(notes.schema.versionField, 'version');
});

test('an id that is not f.id() and the field names and, or, not are refused', () => {
  assert.throws(() => defineRepository('notes', { id: f.string() } as never), (e: unknown) => e instanceof ConfigError && /needs an id field/.test((e as Error).message));
  assert.match(refusal({ and: f.string() }), /Field name "and" in things is invalid/);
  assert.match(refusal({ not: f.boolean() }), /Field name "not" in things is invalid/);
});

test('f.id() on a field other than id is refused, so a repository has one id', () => {
  assert.match(refusal({ other: f.id() }), /Only the field named "id" can be f\.id\(\) \(found on things\.other\)/);
  assert.equal(defineRepository('notes', { id: f.id(), other: f.string() }).schema.fields.id?.type, 'id');
});

test('two version, createdAt or updatedAt fields are refused: each is one field', () => {
  assert.match(refusal({ version: f.version(), revision: f.version() }), /things declares two version fields \(version, revision\); keep one/);
  assert.match(refusal({ a: f.timestamp().createdAt(), b: f.timestamp().createdAt() }), /two createdAt fields \(a, b\)/);
  assert.match(refusal({ a: f.timestamp().updatedAt(), b: f.timestamp().updatedAt() }), /two updatedAt fields \(a, b\)/);
  const notes = defineRepository('notes', { id: f.id(), version: f.version(), a: f.timestamp().createdAt(), b: f.timestamp().updatedAt() });
  assert.equal([notes.schema.versionField, notes.schema.createdAtField, notes.schema.updatedAtField], ['version', 'a', 'b']);
});

test('a repository name that is not letters, digits and _ (at most 63, a letter first) is refused', () => {
  const message = (name: string) => {
    try {
      defineRepository(name, { id: f.id() });
    } catch (error) {
      assert.instance(error, ConfigError);
      return (error as Error).message;
    }
    return 'accepted';
  };
  assert.match(message('chat-messages'), /Repository name "chat-messages" is invalid: use letters, digits and _ \(max 63\), starting with a letter/);
  assert.match(message('_messages'), /is invalid/);
  assert.match(message(`m${'x'.repeat(63)}`), /is invalid/);
  assert.equal(message(`m${'x'.repeat(62)}`), 'accepted');
  assert.equal(defineRepository('chat_messages', { id: f.id() }).schema.table, 'chat_messages');
});

test('a table name no backend can take is refused by defineRepository, as the SQL drivers word it', () => {
  const message = (table: string) => {
    try {
      defineRepository('chats', { id: f.id() }, { table });
    } catch (error) {
      assert.instance(error, ConfigError);
      return (error as Error).message;
    }
    return 'accepted';
  };
  assert.is(message('chat-messages'), 'The table of repository chats name "chat-messages" cannot be used in SQL: use letters, digits and _, starting with a letter or _, at most 63 characters.');
  assert.match(message('chats"; drop table x; --'), /cannot be used in SQL/);
  assert.match(message('2024_chats'), /cannot be used in SQL/);
  assert.match(message(`t${'x'.repeat(63)}`), /cannot be used in SQL/);
  assert.match(message('__chats__'), /"__chats__" is reserved/);
  assert.equal(['_chats', '__chats', `t${'x'.repeat(62)}`].map(message), ['accepted', 'accepted', 'accepted']);
  assert.is(defineRepository('chats', { id: f.id() }, { table: 'chat_log' }).schema.table, 'chat_log');
});


test('f.array() refuses an item whose modifier it would drop: sensitive, secret, unique or a reference', () => {
  const refused = (item: unknown): string => {
    try {
      f.array(item as never);
    } catch (error) {
      assert.instance(error, ConfigError);
      return (error as Error).message;
    }
    assert.unreachable('f.array() accepted the item');
    return '';
  };
  assert.match(refused(f.string().sensitive()), /sensitive\(\), which would leave the items in clear: encrypt the whole array, f\.array\(item\)\.sensitive\(\)/);
  assert.match(refused(f.string().secret()), /secret\(\), which would leave the items in clear/);
  assert.match(refused(f.string().unique()), /unique\(\), which an array item cannot keep/);
  assert.match(refused(f.string().references('users')), /references\(\), which an array item cannot keep/);
  const tags = defineRepository('tagged', { id: f.id(), tags: f.array(f.string({ max: 40 }).indexed()), codes: f.array(f.string()).sensitive() });
  assert.equal([tags.schema.fields.tags?.items?.type, tags.schema.fields.codes?.sensitive?.searchable], ['string', false]);
});

test.run();
