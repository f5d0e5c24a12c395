import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { logicalUniqueFields } from './unique-names.js';
import type { MigrationRewriteStep, Operation, OperationContext, OperationResult, Plugin, PluginHost, RenamedFieldReader, RepositorySchema, StoredRow } from '@chatcore/core/plugin';
import { renamedFieldReader } from './migration/renamed-field.js';
import { openRewriteWindow } from './migration/rewrite-window.js';
import { isStoredCiphertext } from './migration/stored-ciphertext.js';
import { ConfigError, IntegrityError, KeyError, PluginError, type ComponentHealth } from '@chatcore/core';
import type { EncryptionOptions, KeyOption } from './encryption-options.js';
import { Keyring, type KeyringConfig } from './keys/keyring.js';
import type { KeyProvider } from './keys/key-provider.js';
import { defaultKeyProvider } from './keys/local-key-provider.js';
import { ValueCipher } from './crypto/value-cipher.js';
import { checkRow, pendingRenames, planRepositories, withAuthFields, type RepositoryPlan } from './repository-plan.js';
import { RowAuthenticator } from './crypto/row-authenticator.js';
import { BlindIndexer } from './crypto/blind-index.js';
import { storageSchema } from './storage-schema.js';
import { openRow } from './encryption-transformer.js';
import { checkDistinct, checkOrderBy, mapSelect, rewriteAggregate, rewriteCondition } from './query-rewriter.js';
import { IndexChecks } from './index-verification.js';
import { conflictHolder, countChecked, readChecked, type CheckedIo } from './checked-reads.js';
import { insertThrough, recordByRecord, updateThrough, upsertThrough } from './write-paths.js';
import { keyUsage, reencrypt, type KeyUsage, type ReencryptOptions, type ReencryptResult } from './rotation/reencrypt-job.js';
import { concealOptions, keyringOptions, keySource } from './keys/keyring-options.js';
import { checkEncryptionOptions } from './encryption-option-keys.js';
import { verify, type VerifyOptions, type VerifyResult } from './rotation/verify-job.js';
import { keyHealth } from './rotation/key-health.js';
import { retireKey } from './rotation/retire-key.js';
import { unfinishedMigrations } from './rotation/old-name-scan.js';
import { sumCounters, type EncryptionCounters, type EncryptionStats } from './encryption-stats.js';
import { reportCheckFailure, reportIndexMismatch, reportingFailures, type SecuritySink } from './security-reports.js';

type Next = (op: Operation) => Promise<OperationResult>;

let readState: (plugin: EncryptionPlugin) => { ring: Keyring | undefined; plans: ReadonlyMap<string, RepositoryPlan> };

/**
 * The keyring and plans a plugin holds, for tests that prove `close()`
 * zeroes key material. Not exported from the package.
 *
 * @example
 * ```ts
 * const { ring, plans } = pluginState(enc);
 * ```
 */
export function pluginState(plugin: EncryptionPlugin): { ring: Keyring | undefined; plans: ReadonlyMap<string, RepositoryPlan> } {
  return readState(plugin);
}

/**
 * The encryption plugin object: the onion hooks plus the key-management
 * API used by operators and the CLI (`reencrypt`, `keyUsage`, `retireKey`,
 * `addKey`). Get it back from a database with `db.plugin<EncryptionPlugin>('encryption')`.
 *
 * Events on `events`: `progress` (ReencryptProgress), `security` (SecurityEvent).
 *
 * @example
 * ```ts
 * const enc = db.plugin<EncryptionPlugin>('encryption')!;
 * await enc.addKey({ id: 'k2', key: randomBytes(32).toString('base64') }, { activate: true });
 * let r = await enc.reencrypt({ repository: 'users', batchSize: 500 });
 * await enc.retireKey('k1');
 * ```
 */
export class EncryptionPlugin implements Plugin {
  readonly name: string;
  readonly placement = { protectsSensitive: true } as const;
  readonly events = new EventEmitter();
  // Everything that holds or reaches key material is in private fields, so
  // that printing or serializing the plugin (or a database holding it)
  // shows none of it; `inspect`, `toJSON` and `toString` print a summary.
  #plans = new Map<string, RepositoryPlan>();
  #planned = false;
  #ring: Keyring | undefined;
  #host: PluginHost | undefined;
  readonly #provider: KeyProvider;
  readonly #keyConfig: KeyringConfig;
  readonly #options: EncryptionOptions;
  /** The sample check of the current key configuration (see checkKeys). */
  #keyCheck: Promise<VerifyResult> | undefined;

  constructor(options: EncryptionOptions = {}) {
    checkEncryptionOptions(options);
    this.name = options.name ?? 'encryption';
    this.#options = concealOptions(options);
    this.#provider = options.keyProvider ?? defaultKeyProvider;
    this.#keyConfig = keyringOptions(options);
    Keyring.check(this.#keyConfig);
  }

  /** The key id new writes use. */
  get activeKeyId(): string {
    return this.keyring().activeKeyId;
  }

  /** Plan every repository and return the storage schemas (ciphertext fields, blind indexes, envelopes). */
  extendSchema(schemas: readonly RepositorySchema[]): readonly RepositorySchema[] {
    if (this.#planned) throw new ConfigError(`This ${this.name} plugin already serves a database: call encryption() once per createDatabase.`);
    this.#planned = true;
    this.#plans = planRepositories(this.name, schemas, this.#options);
    return schemas.map((s) => {
      const plan = this.#plans.get(s.name);
      if (!plan) return s;
      plan.storage = storageSchema(plan, this.name);
      return plan.storage;
    });
  }

  /** Resolve the keys (passphrase stretching happens here, once per process) and derive every active subkey. */
  async connect(host: PluginHost): Promise<void> {
    this.#host = host;
    this.#keyCheck = undefined;
    this.#ring ??= await Keyring.load(this.#keyConfig, this.#provider);
    for (const plan of this.#plans.values()) {
      for (const p of plan.fields.values()) {
        // The indexer keeps only its HMAC pads (private, zeroed by wipe at close), like the row authenticator.
        if (p.indexField) p.indexer = new BlindIndexer(this.#ring.indexKey(plan.name, p.name));
        if (plan.mode === 'field') {
          p.cipher = new ValueCipher(this.#ring, plan.name, p.name, plan.counters);
          p.cipher.warm();
        }
      }
      if (plan.mode === 'record') {
        plan.envelopeCipher = new ValueCipher(this.#ring, plan.name, '$record', plan.counters);
        plan.envelopeCipher.warm();
      }
      if (plan.authMode !== 'off') plan.auth = new RowAuthenticator({ key: this.#ring.rowAuthKey(plan.name), v1Key: this.#ring.authKey(plan.name) }, plan.authSlots, plan.logical.versionField, plan.name);
    }
  }

  /** Drop the keys: root key bytes are overwritten, blind-index keys zeroed, ciphers forgotten. */
  close(): void {
    for (const plan of this.#plans.values()) {
      for (const p of plan.fields.values()) {
        p.indexer?.wipe();
        delete p.indexer;
        delete p.cipher;
      }
      delete plan.envelopeCipher;
      plan.auth?.wipe();
      delete plan.auth;
      plan.renamed.clear();
    }
    this.#ring?.wipe();
    this.#ring = undefined;
    this.#keyCheck = undefined;
  }

  /**
   * Up when the keys are loaded and a sample of the stored rows (see
   * `checkKeys`) decrypts and authenticates with them; down with the
   * cause when the configured keys do not match the stored data. The
   * sample is read once per key configuration (again after addKey,
   * activateKey or retireKey) once there are rows to read.
   */
  health(): Promise<ComponentHealth[]> {
    return keyHealth(this.name, this.#ring && this.#host ? { activeKeyId: this.#ring.activeKeyId, keys: this.#ring.keyIds().length } : undefined, () => this.checkKeys());
  }

  /**
   * Decrypt and authenticate a sample of the stored data (the first
   * `rowsPerRepository` rows by id of each protected repository, 3 by
   * default, and as many of its newest, read in ascending id order only):
   * a cheap check that the configured keys match what is stored.
   * `keysMismatch` and `diagnosis` say what is wrong (wrong material for a
   * key id, or a changed root of the blind indexes and row authenticators).
   */
  checkKeys(options: { rowsPerRepository?: number } = {}): Promise<VerifyResult> {
    const rows = options.rowsPerRepository ?? 3;
    if (rows !== 3) return this.verify({ rowsPerRepository: rows, maxFindings: 10 });
    if (this.#keyCheck) return this.#keyCheck;
    const pending = this.verify({ rowsPerRepository: rows, maxFindings: 10 });
    this.#keyCheck = pending;
    // Not kept when it read nothing (no rows yet) or failed to read: the next call reads again.
    pending.then((r) => { if (r.scanned === 0 && this.#keyCheck === pending) this.#keyCheck = undefined; }, () => { if (this.#keyCheck === pending) this.#keyCheck = undefined; });
    return pending;
  }

  /**
   * An update this plugin applies record by record (see updateThrough) to
   * more than one record runs in a transaction, so that a record refused
   * midway (a bound, a unique value) leaves the others unchanged.
   */
  needsTransaction(op: Operation): boolean {
    if (op.kind !== 'update' || (op.target.ids !== undefined && op.target.ids.length < 2)) return false;
    const plan = this.#plans.get(op.schema.name);
    return plan !== undefined && recordByRecord(plan, op.patch);
  }

  around(op: Operation, ctx: OperationContext, next: Next): Promise<OperationResult> {
    // Not an async function (one promise less per operation); a refusal
    // thrown while rewriting still reaches the caller as a rejection.
    try {
      return this.route(op, ctx, next);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private route(op: Operation, ctx: OperationContext, next: Next): Promise<OperationResult> {
    const plan = this.#plans.get(op.schema.name);
    if (!plan) return next(op);
    this.keyring();
    // Reads are the hot path: no closures, and the operation is passed on as
    // it is when nothing in it needs rewriting.
    switch (op.kind) {
      case 'get': {
        const mapped = mapSelect(plan, op.select);
        const select = withAuthFields(plan, mapped);
        if (select === mapped) return this.read(plan, select === op.select ? op : { ...op, select }, ctx, next);
        return readChecked(plan, { ...op, select }, next, undefined, op.select, this.checkedIo(plan, ctx));
      }
      case 'query': {
        checkOrderBy(plan, op.query.orderBy);
        checkDistinct(plan, op.query.distinct);
        const where = rewriteCondition(plan, op.query.where);
        const checks = where === op.query.where || !plan.verifyLookups ? undefined : IndexChecks.of(plan, op.query.where, where);
        const mapped = mapSelect(plan, op.query.select);
        const select = withAuthFields(plan, checks ? checks.widen(plan, mapped) : mapped);
        const same = where === op.query.where && select === op.query.select;
        const down = same ? op : { ...op, query: { ...op.query, where, select } };
        if (!checks && select === mapped) return this.read(plan, down, ctx, next);
        return readChecked(plan, down, next, checks, select === mapped ? undefined : op.query.select, this.checkedIo(plan, ctx));
      }
      case 'insert':
        return logicalUniqueFields(plan, insertThrough(plan, op, next, (rows) => this.decryptRows(plan, rows, ctx)));
      case 'count': {
        const where = rewriteCondition(plan, op.where);
        const checks = where === op.where || !plan.verifyLookups ? undefined : IndexChecks.of(plan, op.where, where);
        if (!checks) return next({ ...op, where });
        return countChecked(plan, op, where, next, checks, (sel) => withAuthFields(plan, sel)!, this.checkedIo(plan, ctx));
      }
      case 'aggregate':
        return next({ ...op, aggregate: rewriteAggregate(plan, op.aggregate) });
      case 'rows': // a written statement: its rows are decrypted and authenticated like any read
        return this.read(plan, op, ctx, next);
      case 'delete':
        return next({ ...op, target: { ids: op.target.ids, where: rewriteCondition(plan, op.target.where) } });
      case 'update':
        return logicalUniqueFields(plan, updateThrough(plan, op, next, this.checkedIo(plan, ctx), ctx.transaction !== undefined));
      case 'upsert': {
        const io = this.checkedIo(plan, ctx);
        return logicalUniqueFields(plan, upsertThrough(plan, op, next, io, (logical, where) => conflictHolder(plan, op.schema, logical, where, next, (s) => withAuthFields(plan, s)!, io)));
      }
    }
  }

  /** Migrations: read a protected field's values stored under its previous name (see `Plugin.renamedFieldReader`). */
  renamedFieldReader(repository: string, from: string, to: string): RenamedFieldReader | undefined {
    const plan = this.#plans.get(repository);
    return plan ? renamedFieldReader(this.name, this.keyring(), plan, from, to, this.sink()) : undefined;
  }

  /** Migrations: while the data step giving `repository` its first protected field runs, read rows it has not rewritten yet (see `Plugin.migrationRewrites`). */
  migrationRewrites(repository: string, step: MigrationRewriteStep): (() => void) | undefined {
    const plan = this.#plans.get(repository);
    return plan ? openRewriteWindow(plan, step) : undefined;
  }

  /** Migrations: whether a value stored in `field` is one of this plugin's ciphertexts there, by shape (see `Plugin.isStoredCiphertext`). */
  isStoredCiphertext(repository: string, field: string, value: unknown): boolean | undefined {
    const plan = this.#plans.get(repository);
    return plan ? isStoredCiphertext(plan, field, value) : undefined;
  }

  /** Re-encrypt every value of a repository that is not under the active key (resumable; see ReencryptOptions); refused (ConfigError) while a migration is unfinished. */
  reencrypt(options: ReencryptOptions): Promise<ReencryptResult> {
    return reencrypt(this.rotationContext(), options);
  }

  /** Count stored values per key id (scans every protected repository, or one). */
  keyUsage(options: { repository?: string; batchSize?: number } = {}): Promise<KeyUsage> {
    return keyUsage(this.rotationContext(), options);
  }

  /** Decrypt every stored value (without returning any) and list those that fail, with their likely cause (`diagnosis`). */
  verify(options: Omit<VerifyOptions, 'indexRootKeyId'> = {}): Promise<VerifyResult> {
    return verify(this.rotationContext(), { ...options, indexRootKeyId: this.indexRootKeyId() });
  }

  /** Remove a key from the keyring; refused (KeyError) while any stored value still uses it or a migration is unfinished. */
  async retireKey(keyId: string): Promise<{ scanned: number }> {
    const result = await retireKey(this.keyring(), this.#plans.values(), keyId, () => this.keyUsage(), () => unfinishedMigrations(this.rotationContext()));
    this.#keyCheck = undefined;
    return result;
  }

  /** Add a key to the running keyring; with `activate`, new writes use it immediately. */
  async addKey(source: KeyOption & { readonly id: string }, options: { activate?: boolean } = {}): Promise<void> {
    await this.keyring().addKey(keySource(source), this.#provider, options.activate === true);
    this.#keyCheck = undefined;
  }

  /** Make a key already in the ring the active one. */
  activateKey(keyId: string): void {
    this.keyring().activate(keyId);
    this.#keyCheck = undefined;
  }

  /** Key ids in the ring. */
  keyIds(): string[] {
    return this.keyring().keyIds();
  }

  /**
   * The key id whose material roots the blind indexes and row
   * authenticators (the first key listed unless `indexKeyId` says
   * otherwise), or undefined when `blindIndex.key` roots them. That key's
   * material must stay configured even once it encrypts nothing.
   */
  indexRootKeyId(): string | undefined {
    const ring = this.keyring();
    return ring.separateIndexKey ? undefined : ring.indexKeyId;
  }

  /** Counters since creation (values sealed and opened per key id, blind indexes, integrity failures and missing keys), in total and per repository. */
  stats(): EncryptionStats {
    const repositories: Record<string, EncryptionCounters> = {};
    for (const [name, plan] of this.#plans) repositories[name] = plan.counters.snapshot();
    return { ...sumCounters(Object.values(repositories)), activeKeyId: this.#ring?.activeKeyId, keyIds: this.#ring?.keyIds() ?? [], repositories };
  }

  static {
    readState = (plugin) => ({ ring: plugin.#ring, plans: plugin.#plans });
  }

  /** What printing the plugin shows: its name, key ids and protected repositories, never key material. */
  toJSON(): { plugin: string; connected: boolean; activeKeyId?: string | undefined; keyIds: string[]; repositories: string[] } {
    return { plugin: this.name, connected: this.#ring !== undefined, activeKeyId: this.#ring?.activeKeyId, keyIds: this.#ring?.keyIds() ?? [], repositories: [...this.#plans.keys()] };
  }

  toString(): string {
    return `EncryptionPlugin(${this.name})`;
  }

  [inspect.custom](): string {
    return `EncryptionPlugin ${JSON.stringify(this.toJSON())}`;
  }

  private keyring(): Keyring {
    if (!this.#ring) throw new PluginError(this.name, 'keys are not loaded: call db.connect() before using the database.');
    return this.#ring;
  }

  private rotationContext() {
    if (!this.#host) throw new PluginError(this.name, 'not connected: call db.connect() first.');
    return { host: this.#host, name: this.name, plans: this.#plans, events: this.events, sink: this.sink() };
  }

  private async read(plan: RepositoryPlan, op: Operation, ctx: OperationContext, next: Next): Promise<OperationResult> {
    const res = await next(op);
    return { ...res, rows: this.decryptRows(plan, res.rows, ctx) };
  }

  private checkedIo(plan: RepositoryPlan, ctx: OperationContext): CheckedIo {
    return {
      decrypt: (rows) => this.decryptRows(plan, rows, ctx),
      open: (row, renamed) => reportingFailures(this.sink(), plan, ctx, row.id, () => openRow(plan, row, renamed)),
      mismatch: (fields, ids) => reportIndexMismatch(this.sink(), plan, fields, ids, ctx),
    };
  }

  private decryptRows(plan: RepositoryPlan, rows: readonly StoredRow[], ctx: OperationContext | undefined): StoredRow[] {
    const out = new Array<StoredRow>(rows.length);
    let i = 0;
    try {
      for (; i < rows.length; i++) {
        // A row a rename migration is rewriting: its renamed slots are still authenticated under their old names.
        out[i] = openRow(plan, rows[i]!, plan.renamed.size === 0 ? undefined : pendingRenames(plan, rows[i]!));
      }
    } catch (error) {
      if (error instanceof IntegrityError || error instanceof KeyError) reportCheckFailure(this.sink(), plan, error, ctx, rows[i]?.id);
      throw error;
    }
    return out;
  }

  /** Where this plugin's security events go (built when one is reported). */
  private sink(): SecuritySink {
    return { source: this.name, host: this.#host, events: this.events, onSecurityEvent: this.#options.onSecurityEvent };
  }
}

/**
 * Create the encryption plugin. Place it above the cache:
 * `plugins: [audit(), encryption(), cache()]`.
 *
 * @example
 * ```ts
 * const db = createDatabase({
 *   driver: pglite(),
 *   repositories: { users },
 *   plugins: [encryption({ keys: [{ id: 'k1', key: process.env.CHATCORE_ENCRYPTION_KEY! }] })],
 * });
 * ```
 */
export function encryption(options: EncryptionOptions = {}): EncryptionPlugin {
  return new EncryptionPlugin(options);
}
