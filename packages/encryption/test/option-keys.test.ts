import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption, type EncryptionOptions } from '../src/index.js';
import { highEntropy, KEY_A } from './helpers/keys.js';

// encryption() options built in a variable (or in JavaScript) escape tsc's
// excess-property check: a misspelt key must be refused, not ignored.

const people = defineRepository('people', { id: f.id(), name: f.string(), ssn: f.string().optional(), version: f.version() });

/** Every table of the public schema, with all of its rows as text. */
async function dump(driver: ReturnType<typeof pglite>): Promise<string> {
  const tables = await driver.executor.execute({ sql: `select table_name as t from information_schema.tables where table_schema = 'public'`, parameters: [] });
  let out = '';
  for (const { t } of tables.rows as { t: string }[]) {
    const rows = await driver.executor.execute({ sql: `select * from "${t}"`, parameters: [] });
    out += `${t}: ${JSON.stringify(rows.rows)}\n`;
  }
  return out;
}

/** Build, connect and write one record; returns the error, and what the database holds afterwards. */
async function writeWith(options: EncryptionOptions, ssn: string): Promise<{ error: unknown; stored: string }> {
  const driver = pglite();
  let error: unknown;
  try {
    const db = createDatabase({ driver, repositories: { people }, plugins: [encryption(options)] });
    await db.connect();
    await db.people.create({ name: 'Ada', ssn });
  } catch (e) {
    error = e;
  }
  await driver.connect();
  const stored = await dump(driver);
  await driver.close();
  return { error, stored };
}

test('sensitive (meant: sensitiveFields) is refused with a hint, and no ssn is stored in clear (PGlite)', async () => {
  const ssn = highEntropy('ssn-');
  const options = { rootKey: KEY_A, sensitive: ['people.ssn'] };
  const { error, stored } = await writeWith(options as EncryptionOptions, ssn);
  assert.instance(error, ConfigError);
  assert.match((error as Error).message, 'encryption.sensitive: unknown option (did you mean sensitiveFields?)');
  assert.is(stored.includes(ssn), false, 'the ssn is stored in clear');
  assert.is(stored.includes('Ada'), false, 'a record was written');
});

test('the same options spelt right encrypt the ssn (the scan above would see it in clear)', async () => {
  const ssn = highEntropy('ssn-');
  const { error, stored } = await writeWith({ rootKey: KEY_A, sensitiveFields: ['people.ssn'] }, ssn);
  assert.is(error, undefined);
  assert.match(stored, 'Ada');
  assert.is(stored.includes(ssn), false);
});

test('unknown keys in keys[], blindIndex and repositories are refused by path', () => {
  const cases: Array<[unknown, string]> = [
    [{ keys: [{ id: 'k1', kye: KEY_A }] }, 'encryption.keys[0].kye: unknown option (did you mean key?)'],
    [{ rootKey: KEY_A, blindIndex: { field: ['email'] } }, 'encryption.blindIndex.field: unknown option (did you mean fields?)'],
    [{ rootKey: KEY_A, repositories: { notes: { seal: true, clean: ['title'] } } }, 'encryption.repositories.notes.clean: unknown option (did you mean clear?)'],
    [{ rootKey: KEY_A, sensitiveFields: [{ field: 'users.email', searchable: true, normalize: { trm: true } }] }, 'encryption.sensitiveFields[0].normalize.trm: unknown option (did you mean trim?)'],
  ];
  for (const [options, message] of cases) {
    try {
      encryption(options as EncryptionOptions);
      assert.unreachable(message);
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.match((e as Error).message, message);
    }
  }
});

test.run();
