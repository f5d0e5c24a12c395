import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption } from '../src/index.js';
import { isCiphertextText } from '../src/crypto/ciphertext-format.js';

const KEY = createHash('sha256').update('stored-ciphertext').digest('base64');
const people = defineRepository('people', { id: f.id(), name: f.string(), ssn: f.string().optional().sensitive(), version: f.version() });
const notes = defineRepository('notes', { id: f.id(), topic: f.string(), body: f.string().optional(), version: f.version() }, { plugins: { encryption: { seal: true, clear: ['topic'] } } });

test('isStoredCiphertext: ciphertexts and envelopes as stored are the plugin\'s, plaintext and values outside the envelope are not', async () => {
  const driver = memoryDriver();
  const plugin = encryption({ keys: [{ id: 'k1', key: KEY }] });
  const db = createDatabase({ driver, repositories: { people, notes }, plugins: [plugin] });
  await db.connect();
  const person = await db.people.create({ name: 'Ada', ssn: '123-45-6789' });
  const note = await db.notes.create({ topic: 't', body: 'a note' });
  const [storedPerson] = await driver.getByIds(db.schemas.get('people')!, [person.id], {});
  const [storedNote] = await driver.getByIds(db.schemas.get('notes')!, [note.id], {});

  assert.is(plugin.isStoredCiphertext('people', 'ssn', storedPerson!.ssn), true);
  assert.is(plugin.isStoredCiphertext('people', 'ssn', '123-45-6789'), false);
  assert.is(plugin.isStoredCiphertext('people', 'ssn', 'abcdefghij'), false, 'base64url text is not enough');
  assert.is(plugin.isStoredCiphertext('people', 'ssn', (storedPerson!.ssn as string).slice(0, 20)), false, 'a truncated ciphertext');
  assert.is(plugin.isStoredCiphertext('people', 'name', 'Ada'), undefined, 'a field the plugin leaves alone');
  assert.is(plugin.isStoredCiphertext('nobody', 'ssn', 'x'), undefined);

  assert.is(plugin.isStoredCiphertext('notes', 'sealed', storedNote!.sealed), true);
  assert.is(plugin.isStoredCiphertext('notes', 'sealed', storedPerson!.ssn), false, 'a field-mode ciphertext is not an envelope');
  assert.is(isCiphertextText(storedNote!.sealed), false, 'nor an envelope a field-mode ciphertext');
  assert.is(plugin.isStoredCiphertext('notes', 'sealed', 'a note'), false);
  assert.is(plugin.isStoredCiphertext('notes', 'body', 'a note'), false, 'a sealed field is read from the envelope only');
  assert.is(plugin.isStoredCiphertext('notes', 'body', storedPerson!.ssn), false);
  assert.is(plugin.isStoredCiphertext('notes', 'topic', 't'), undefined, 'a clear field');
  await db.close();
});

test.run();
