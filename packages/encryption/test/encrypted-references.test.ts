import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f, ForeignKeyError } from '@chatcore/core';
import { encryption, type EncryptionOptions } from '../src/index.js';
import { everyBackend, suffix } from './helpers/every-backend.js';
import { KEY_A } from './helpers/keys.js';

// Referential integrity is built from the storage schemas: a reference
// field the plugin encrypted would leave them, and with it every check and
// cascade. Such a configuration is refused; kept in clear, it is enforced.
function repos(s: string, seal: object | undefined) {
  const chats = defineRepository('chats', { id: f.id(), title: f.string() }, { table: `encref_chats_${s}` });
  const lines = defineRepository('lines', {
    id: f.id(),
    chatId: f.string().references('chats', { onDelete: 'cascade' }),
    body: f.text(),
    version: f.version(),
  }, { table: `encref_lines_${s}`, ...(seal ? { plugins: { encryption: seal } } : {}) });
  return { chats, lines };
}

function refused(run: () => unknown, fix: RegExp): void {
  try {
    run();
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /lines\.chatId references chats/);
    assert.match((error as Error).message, fix);
    return;
  }
  assert.unreachable('an encrypted reference field was accepted');
}

for (const backend of await everyBackend()) {
  test(`${backend.name}: a sealed reference field, or one named in sensitiveFields, is refused at createDatabase`, () => {
    const open = (seal: object | undefined, options: EncryptionOptions = {}) =>
      createDatabase({ driver: backend.driver(), repositories: repos(suffix(), seal), plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], ...options })] });
    refused(() => open({ seal: true }), /list it in the clear fields of lines \(clear: \['chatId'\]\)/);
    refused(() => open({ seal: true, clear: ['body'] }), /clear: \['chatId'\]/);
    refused(() => open(undefined, { sensitiveFields: ['lines.chatId'] }), /remove lines\.chatId from sensitiveFields/);
    refused(() => open(undefined, { sensitiveFields: ['chatId'] }), /remove lines\.chatId from sensitiveFields/);
  });

  test(`${backend.name}: a sealed repository with its reference in clear keeps references checked and cascaded`, async () => {
    const db = createDatabase({ driver: backend.driver(), repositories: repos(suffix(), { seal: true, clear: ['chatId'] }), plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] });
    await db.connect();
    try {
      const chat = await db.chats.create({ title: 't' });
      await db.lines.create({ chatId: chat.id, body: 'sealed body' });
      try {
        await db.lines.create({ chatId: 'no-such-chat', body: 'x' });
        assert.unreachable('a missing chat was accepted');
      } catch (error) {
        assert.instance(error, ForeignKeyError);
      }
      assert.ok(await db.chats.delete(chat.id));
      assert.is(await db.lines.count({}), 0);
    } finally {
      await db.close();
    }
  });
}

test.run();
