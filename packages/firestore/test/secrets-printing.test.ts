import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { SecretValue } from '@chatcore/core/config';
import { leakedMarkers } from '@chatcore/core/testing';
import { firestore } from '../src/index.js';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { resolveOptions } from '../src/firestore-options.js';
import { suffix, testDriver } from './helpers/emulator.js';

const emulator = await useFirestoreEmulator();
const marker = (name: string) => `${name}-${randomBytes(9).toString('hex')}`;
const notes = defineRepository('notes', { id: f.id(), body: f.text() }, { table: `secret_notes_${suffix()}` });
const keyPem = (m: string) => `-----BEGIN PRIVATE KEY-----\n${m}\n-----END PRIVATE KEY-----\n`;

test('a driver with inline service-account credentials prints neither its key nor the SDK client, in use on the emulator', async () => {
  const key = marker('pk');
  const driver = testDriver(emulator, { credentials: { client_email: 'svc@test.iam.gserviceaccount.com', private_key: keyPem(key) } });
  const db = createDatabase({ driver, repositories: { notes } });
  await db.connect();
  try {
    const n = await db.notes.create({ body: 'hello' });
    assert.is((await db.notes.get(n.id))?.body, 'hello');
    for (const subject of [driver, driver.options, db]) assert.equal(leakedMarkers(subject, [key]), []);
    assert.equal(JSON.parse(JSON.stringify(driver)), { driver: 'firestore', projectId: driver.options.projectId, databaseId: '(default)' });
    // The SDK still receives the key itself.
    assert.ok(driver.options.credentials!.private_key === keyPem(key), 'the SDK gets the plain key');
  } finally {
    await db.close();
  }
});

test('a private key given as SecretValue reaches the resolved options as the string the SDK reads, and prints as [redacted]', () => {
  const key = marker('pk');
  const given = { projectId: 'p', credentials: { client_email: 'svc@p.iam.gserviceaccount.com', private_key: new SecretValue(keyPem(key)) } };
  const resolved = resolveOptions(given);
  assert.ok(resolved.credentials!.private_key === keyPem(key), 'the SDK gets the plain key');
  for (const subject of [given, resolved]) assert.equal(leakedMarkers(subject, [key]), []);
});

test('the credentials object given to firestore() prints its private key as [redacted]; the key reads unchanged', async () => {
  const key = marker('pk');
  const given = { projectId: 'p', credentials: { client_email: 'svc@p.iam.gserviceaccount.com', private_key: keyPem(key) } };
  const driver = firestore(given);
  for (const subject of [given, given.credentials, { given }]) assert.equal(leakedMarkers(subject, [key]), []);
  assert.ok(given.credentials.private_key === keyPem(key), 'the caller still reads the plain key');
  await driver.close();
});

test.after(() => emulator.stop());

test.run();
