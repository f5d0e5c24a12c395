import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f, type Database } from '@chatcore/core';
import { memoryDriver, type StoredRow } from '@chatcore/core/driver';
import { type Operation, type OperationContext, type OperationResult } from '@chatcore/core/plugin';
import { encryption, type EncryptionPlugin } from '@chatcore/encryption';

/**
 * The plugin's own write and read paths, without a database: operations go
 * straight into the plugin's `around` hook, and the layer below answers at
 * once (an insert returns the rows it was given; a get returns rows the
 * plugin sealed before timing). So a call costs the plugin's work on a batch
 * (encrypting every row, building the storage rows, handing back the
 * caller's rows; or opening every value and building the logical rows) and
 * one resolved promise. Nothing is subtracted: without the plugin, that
 * path is the resolved promise alone (~0.1 µs per batch).
 */
export interface PluginPath {
  readonly name: string;
  /** Encrypted values per call: rows × sensitive fields. */
  readonly values: number;
  readonly seal: () => Promise<OperationResult>;
  readonly open: () => Promise<OperationResult>;
}

/** The key id of the benchmark's keyring (its length is part of every AAD). */
export const KEY_ID = 'bench';

const three = {
  id: f.id(),
  email: f.string().sensitive(),
  phone: f.string().sensitive(),
  ssn: f.string().sensitive(),
  version: f.version(),
};
const threeTexts = { id: f.id(), notes: f.text().sensitive(), summary: f.text().sensitive(), draft: f.text().sensitive(), version: f.version() };
const one = { id: f.id(), email: f.string().sensitive(), version: f.version() };
const searchable = { id: f.id(), email: f.string().sensitive({ searchable: true }), version: f.version() };

/** The repositories: field mode and record mode over the same fields, and a searchable field. */
const repositories = {
  contacts: defineRepository('contacts', three),
  documents: defineRepository('documents', threeTexts),
  sealedContacts: defineRepository('sealedContacts', three),
  emails: defineRepository('emails', one),
  sealedEmails: defineRepository('sealedEmails', one),
  lookups: defineRepository('lookups', searchable),
};

/**
 * The plugin on the memory driver (never called: operations stop below the
 * plugin), keys resolved. `factory` can be another build's `encryption`
 * (to compare two versions of the plugin in one process).
 */
export async function pluginDatabase(factory: typeof encryption = encryption): Promise<{ db: Database<typeof repositories>; enc: EncryptionPlugin }> {
  const db = createDatabase({
    driver: memoryDriver(),
    repositories,
    plugins: [factory({ keys: [{ id: KEY_ID, key: randomBytes(32).toString('base64') }], repositories: { sealedContacts: { seal: true }, sealedEmails: { seal: true } } })],
  });
  await db.connect();
  return { db, enc: db.plugin<EncryptionPlugin>('encryption')! };
}

function context(op: Operation): OperationContext {
  return { traceId: 'bench', repository: op.schema.name, method: op.kind === 'insert' ? 'createMany' : 'getMany', attempt: 1, startedAt: 0, startedAtHr: 0, options: {}, operation: op, state: new Map() };
}

/**
 * Seal and open paths of one repository for `values`, spread over rows in
 * order (row i holds values i×k … i×k+k−1 in its k sensitive fields).
 * Checks, before any timing, that opening gives the values back.
 */
export async function pluginPath(name: string, db: Database<typeof repositories>, enc: EncryptionPlugin, repository: keyof typeof repositories, values: readonly string[]): Promise<PluginPath> {
  const schema = db.schemas.get(repository)!;
  const fields = Object.keys(repositories[repository].schema.fields).filter((k) => k !== 'id' && k !== 'version');
  const k = fields.length;
  const rows: StoredRow[] = [];
  for (let i = 0; i + k <= values.length; i += k) {
    const row: StoredRow = { id: `0190a0b0-0000-7000-8000-${String(i).padStart(12, '0')}`, version: 1 };
    fields.forEach((f, j) => (row[f] = values[i + j]));
    rows.push(row);
  }
  const insert: Operation = { kind: 'insert', schema, rows };
  const get: Operation = { kind: 'get', schema, ids: rows.map((r) => r.id as string) };
  const passDown = (o: Operation) => Promise.resolve({ rows: o.kind === 'insert' ? o.rows : [] });
  let stored: StoredRow[] = [];
  await enc.around(insert, context(insert), (o) => {
    stored = o.kind === 'insert' ? o.rows : [];
    return passDown(o);
  });
  const storedResult = () => Promise.resolve({ rows: stored });
  const back = await enc.around(get, context(get), storedResult);
  for (const [i, row] of back.rows.entries()) {
    for (const f of fields) if (row[f] !== rows[i]![f]) throw new Error(`${name}: ${repository}.${f} of row ${i} did not open to the value sealed`);
    if (stored[i]![fields[0]!] === rows[i]![fields[0]!]) throw new Error(`${name}: ${repository} stored plaintext`);
  }
  return {
    name,
    values: rows.length * k,
    seal: () => enc.around(insert, context(insert), passDown),
    open: () => enc.around(get, context(get), storedResult),
  };
}
