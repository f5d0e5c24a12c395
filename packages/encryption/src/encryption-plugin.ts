import { EventEmitter } from 'node:events';
import type { ComponentHealth } from '@chatcore/core';
import type { Operation, OperationContext, OperationResult, Plugin, PluginHost, RepositorySchema, StoredRow } from '@chatcore/core/plugin';
import { ConfigError, IntegrityError, KeyError, PluginError } from '@chatcore/core';
import type { EncryptionOptions } from './encryption-options.js';
import { Keyring, type KeyringConfig } from './keys/keyring.js';
import type { KeyProvider } from './keys/key-provider.js';
import type { KeySource } from './keys/key-source.js';
import { defaultKeyProvider } from './keys/local-key-provider.js';
import { ValueCipher } from './crypto/value-cipher.js';
import { planRepositories, type RepositoryPlan } from './repository-plan.js';
import { storageSchema } from './storage-schema.js';
import { decryptRow } from './encryption-transformer.js';
import { checkOrderBy, mapSelect, rewriteCondition } from './query-rewriter.js';
import { insertThrough, updateThrough, upsertThrough } from './write-paths.js';
import { keyUsage, reencrypt, type KeyUsage, type ReencryptOptions, type ReencryptResult } from './rotation/reencrypt-job.js';
import { keyringOptions } from './keys/keyring-options.js';
import { verify, type VerifyResult } from './rotation/verify-job.js';
import { sumCounters, type EncryptionCounters, type EncryptionStats } from './encryption-stats.js';

type Next = (op: Operation) => Promise<OperationResult>;

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
  private plans = new Map<string, RepositoryPlan>();
  private planned = false;
  private ring: Keyring | undefined;
  private host: PluginHost | undefined;
  private readonly provider: KeyProvider;
  private readonly keyConfig: KeyringConfig;

  constructor(private readonly options: EncryptionOptions = {}) {
    this.name = options.name ?? 'encryption';
    this.provider = options.keyProvider ?? defaultKeyProvider;
    this.keyConfig = keyringOptions(options);
    Keyring.check(this.keyConfig);
  }

  /** The key id new writes use. */
  get activeKeyId(): string {
    return this.keyring().activeKeyId;
  }

  /** Plan every repository and return the storage schemas (ciphertext fields, blind indexes, envelopes). */
  extendSchema(schemas: readonly RepositorySchema[]): readonly RepositorySchema[] {
    if (this.planned) throw new ConfigError(`This ${this.name} plugin already serves a database: call encryption() once per createDatabase.`);
    this.planned = true;
    this.plans = planRepositories(this.name, schemas, this.options);
    return schemas.map((s) => {
      const plan = this.plans.get(s.name);
      if (!plan) return s;
      plan.storage = storageSchema(plan, this.name);
      return plan.storage;
    });
  }

  /** Resolve the keys (passphrase stretching happens here, once per process) and derive every active subkey. */
  async connect(host: PluginHost): Promise<void> {
    this.host = host;
    this.ring ??= await Keyring.load(this.keyConfig, this.provider);
    for (const plan of this.plans.values()) {
      for (const p of plan.fields.values()) {
        // Exported once into a buffer the plugin owns, so close() can zero it.
        if (p.indexField) p.indexKey = this.ring.indexKey(plan.name, p.name).export();
        if (plan.mode === 'field') {
          p.cipher = new ValueCipher(this.ring, plan.name, p.name, plan.counters);
          p.cipher.warm();
        }
      }
      if (plan.mode === 'record') {
        plan.envelopeCipher = new ValueCipher(this.ring, plan.name, '$record', plan.counters);
        plan.envelopeCipher.warm();
      }
    }
  }

  /** Drop the keys: root key bytes are overwritten, blind-index keys zeroed, ciphers forgotten. */
  close(): void {
    for (const plan of this.plans.values()) {
      for (const p of plan.fields.values()) {
        p.indexKey?.fill(0);
        delete p.indexKey;
        delete p.cipher;
      }
      delete plan.envelopeCipher;
    }
    this.ring?.wipe();
    this.ring = undefined;
  }

  health(): ComponentHealth[] {
    return [{ name: this.name, status: this.ring ? 'up' : 'down', details: this.ring ? { activeKeyId: this.ring.activeKeyId, keys: this.ring.keyIds().length } : { error: 'not connected' } }];
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
    const plan = this.plans.get(op.schema.name);
    if (!plan) return next(op);
    this.keyring();
    // Reads are the hot path: no closures, and the operation is passed on as
    // it is when nothing in it needs rewriting.
    switch (op.kind) {
      case 'get': {
        const select = mapSelect(plan, op.select);
        return this.read(plan, select === op.select ? op : { ...op, select }, ctx, next);
      }
      case 'query': {
        checkOrderBy(plan, op.query.orderBy);
        const where = rewriteCondition(plan, op.query.where);
        const select = mapSelect(plan, op.query.select);
        const same = where === op.query.where && select === op.query.select;
        return this.read(plan, same ? op : { ...op, query: { ...op.query, where, select } }, ctx, next);
      }
      case 'insert':
        return insertThrough(plan, op, next, (rows) => this.decryptRows(plan, rows, ctx));
      case 'count':
        return next({ ...op, where: rewriteCondition(plan, op.where) });
      case 'delete':
        return next({ ...op, target: { ids: op.target.ids, where: rewriteCondition(plan, op.target.where) } });
      case 'update':
        return updateThrough(plan, op, next, (rows) => this.decryptRows(plan, rows, ctx));
      case 'upsert':
        return upsertThrough(plan, op, next, (rows) => this.decryptRows(plan, rows, ctx));
    }
  }

  /** Re-encrypt every value of a repository that is not under the active key (resumable; see ReencryptOptions). */
  reencrypt(options: ReencryptOptions): Promise<ReencryptResult> {
    return reencrypt(this.rotationContext(), options);
  }

  /** Count stored values per key id (scans every protected repository, or one). */
  keyUsage(options: { repository?: string; batchSize?: number } = {}): Promise<KeyUsage> {
    return keyUsage(this.rotationContext(), options);
  }

  /** Decrypt every stored value (without returning any) and list those that fail. */
  verify(options: { repository?: string; batchSize?: number; maxFindings?: number } = {}): Promise<VerifyResult> {
    return verify(this.rotationContext(), options);
  }

  /** Remove a key from the keyring; refused (KeyError) while any stored value still uses it. */
  async retireKey(keyId: string): Promise<{ scanned: number }> {
    const ring = this.keyring();
    if (!ring.has(keyId)) throw new KeyError(`No key with id ${keyId} in the keyring; nothing to retire.`, { info: { keyId } });
    if (ring.activeKeyId === keyId) throw new KeyError(`Key ${keyId} is the active key: activate another key and re-encrypt before retiring it.`, { info: { keyId } });
    const usage = await this.keyUsage();
    const remaining = usage.byKey[keyId] ?? 0;
    if (remaining > 0) {
      const where = Object.entries(usage.byRepository).filter(([, m]) => (m[keyId] ?? 0) > 0).map(([r, m]) => `${r}: ${m[keyId]}`).join(', ');
      throw new KeyError(`Key ${keyId} still protects ${remaining} stored values (${where}); run reencrypt for those repositories, then retire it.`, { info: { keyId, remaining } });
    }
    this.keyring().remove(keyId);
    for (const plan of this.plans.values()) {
      for (const p of plan.fields.values()) p.cipher?.forget(keyId);
      plan.envelopeCipher?.forget(keyId);
    }
    return { scanned: usage.scanned };
  }

  /** Add a key to the running keyring; with `activate`, new writes use it immediately. */
  async addKey(source: KeySource, options: { activate?: boolean } = {}): Promise<void> {
    await this.keyring().addKey(source, this.provider, options.activate === true);
  }

  /** Make a key already in the ring the active one. */
  activateKey(keyId: string): void {
    this.keyring().activate(keyId);
  }

  /** Key ids in the ring. */
  keyIds(): string[] {
    return this.keyring().keyIds();
  }

  /**
   * Counters since the plugin was created: values sealed and opened (per
   * key id), blind indexes computed, integrity failures and missing keys
   * met on reads; in total and per protected repository. Plain counters,
   * kept on the hot path at the cost of an increment.
   */
  stats(): EncryptionStats {
    const repositories: Record<string, EncryptionCounters> = {};
    for (const [name, plan] of this.plans) repositories[name] = plan.counters.snapshot();
    return { ...sumCounters(Object.values(repositories)), activeKeyId: this.ring?.activeKeyId, keyIds: this.ring?.keyIds() ?? [], repositories };
  }

  private keyring(): Keyring {
    if (!this.ring) throw new PluginError(this.name, 'keys are not loaded: call db.connect() before using the database.');
    return this.ring;
  }

  private rotationContext() {
    if (!this.host) throw new PluginError(this.name, 'not connected: call db.connect() first.');
    return { host: this.host, name: this.name, plans: this.plans, events: this.events };
  }

  private async read(plan: RepositoryPlan, op: Operation, ctx: OperationContext, next: Next): Promise<OperationResult> {
    const res = await next(op);
    return { ...res, rows: this.decryptRows(plan, res.rows, ctx) };
  }

  private decryptRows(plan: RepositoryPlan, rows: readonly StoredRow[], ctx: OperationContext | undefined): StoredRow[] {
    const out = new Array<StoredRow>(rows.length);
    try {
      for (let i = 0; i < rows.length; i++) out[i] = decryptRow(plan, rows[i]!);
    } catch (error) {
      if (error instanceof IntegrityError || error instanceof KeyError) this.reportIntegrity(plan, error, ctx);
      throw error;
    }
    return out;
  }

  private reportIntegrity(plan: RepositoryPlan, error: IntegrityError | KeyError, ctx: OperationContext | undefined): void {
    if (error instanceof KeyError) plan.counters.missingKeys++;
    else plan.counters.integrityFailures++;
    const id = error.info.id as string | undefined;
    const event = {
      // A missing key id is an operator mistake or a tampered key id: reported either way, as its own type.
      type: error instanceof KeyError ? 'key_missing' : 'integrity_failure',
      message: error.message,
      repository: plan.name,
      ids: id ? [id] : undefined,
      actor: ctx?.actor,
      tenant: ctx?.tenant,
      traceId: ctx?.traceId,
      source: this.name,
      details: { field: error.info.field, keyId: error.info.keyId },
    } as const;
    this.host?.reportSecurityEvent(event);
    this.events.emit('security', event);
    this.options.onSecurityEvent?.(event);
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
