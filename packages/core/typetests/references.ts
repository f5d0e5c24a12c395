// References (.references()): which fields can hold one, which onDelete each
// field allows, and what the declared record type looks like.
// Each @ts-expect-error line has a twin right below it that compiles.
import { createDatabase, defineRepository, f, type RecordOf, type ReferenceOptions } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';
import { memoryDriver } from '@chatcore/core/testing';

export function references(): void {
  // @ts-expect-error 'set null' on a required field (it could never be cleared)
  f.string().references('conversations', { onDelete: 'set null' });
  f.string().optional().references('conversations', { onDelete: 'set null' });
  // @ts-expect-error a reference holds a record id, so a number field cannot hold one
  f.integer().references('conversations');
  f.string().references('conversations');
  // @ts-expect-error an onDelete action that does not exist
  f.string().references('conversations', { onDelete: 'nothing' });
  f.string().references('conversations', { onDelete: 'cascade' });
  // @ts-expect-error constraint takes a boolean
  f.string().references('conversations', { constraint: 'off' });
  f.string().references('conversations', { constraint: false });
  f.text().references('conversations', { onDelete: 'restrict' });
  // @ts-expect-error ReferenceOptions of a required field offers no 'set null'
  const forRequired: ReferenceOptions<false> = { onDelete: 'set null' };
  const forOptional: ReferenceOptions<true> = { onDelete: 'set null' };
  void forRequired;
  void forOptional;

  const messages = defineRepository('messages', {
    id: f.id(),
    conversationId: f.string().references('conversations', { onDelete: 'cascade' }),
    replyTo: f.string().optional().references('messages', { onDelete: 'set null' }),
  });
  type Message = RecordOf<typeof messages>;
  const m = {} as Message;
  const parent: string = m.conversationId;
  // @ts-expect-error an optional reference may be null
  const reply: string = m.replyTo;
  const replyOrNull: string | null = m.replyTo;
  void parent;
  void reply;
  void replyOrNull;
}

// A reference names a repository of the database, by the name given to defineRepository.
const chats = defineRepository('chats', { id: f.id(), title: f.string() });
const lines = defineRepository('lines', { id: f.id(), chatId: f.string().references('chats', { onDelete: 'cascade' }), replyTo: f.string().optional().references('lines') });
const misnamed = defineRepository('misnamed', { id: f.id(), chatId: f.string().references('chat') });

export async function referenceTargets(): Promise<void> {
  // @ts-expect-error lines references chats, which this database does not have (a ConfigError)
  createDatabase({ driver: memoryDriver(), repositories: { lines } });
  createDatabase({ driver: memoryDriver(), repositories: { chats, lines } });
  // @ts-expect-error a misspelled target
  createDatabase({ driver: memoryDriver(), repositories: { chats, misnamed } });
  createDatabase({ driver: memoryDriver(), repositories: { conversations: chats, lines } });
  // @ts-expect-error the key of repositories does not count: the name does
  await createStack({ config: 'chatcore.yaml', repositories: { chat: chats, misnamed } });
  await createStack({ config: 'chatcore.yaml', repositories: { chats, lines } });
}
