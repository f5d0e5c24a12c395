import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Database, RepositoryMap } from '@chatcore/core';
import type { KeyUsage } from '@chatcore/encryption';
import { CliError } from '../cli-error.js';
import { encryptionOf, protectedRepositories } from '../encryption-of.js';
import { EXIT } from '../exit-codes.js';
import type { CommandResult } from '../output.js';
import { withDatabase, type CommandContext } from '../command-context.js';
import { createProgress } from '../progress.js';
import { unfinishedMigrations } from '../unfinished-migrations.js';
import { clearRotationState, defaultCheckpointPath, readRotationState, writeRotationState, type RepositoryRotation, type RotationState } from '../rotation-checkpoint.js';

type Db = Database<RepositoryMap>;

function counter(db: Db, repositories: RepositoryMap, name: string): { count(where?: object): Promise<number> } {
  const key = Object.entries(repositories).find(([, def]) => def.name === name)?.[0];
  return (db as unknown as Record<string, { count(where?: object): Promise<number> }>)[key ?? name]!;
}

/** The environment variable the docs suggest for a key id (`2026-07` -> `CHATCORE_KEY_2026_07`). */
function envNameOf(id: string): string {
  return `CHATCORE_KEY_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The single key a file sets without a keyring (root_key, or passphrase with
 * passphrase_salt): its id, its keyring entry with placeholders for the
 * values (the loaded file no longer says which variables they came from),
 * and the keys the keyring replaces.
 */
function singleKeyOf(section: { rootKey?: unknown; passphrase?: unknown; keyId?: string | undefined } | undefined): { id: string; source: string; replaced: string; lines: string[] } | undefined {
  if (!section) return undefined;
  const id = section.keyId ?? 'k1';
  const keyId = section.keyId !== undefined;
  if (section.rootKey !== undefined) {
    return { id, source: 'root_key', replaced: `root_key${keyId ? ' and key_id' : ''}`, lines: ['      key: <the value root_key has now>'] };
  }
  if (section.passphrase !== undefined) {
    return {
      id,
      source: 'passphrase',
      replaced: keyId ? 'passphrase, passphrase_salt and key_id' : 'passphrase and passphrase_salt',
      lines: ['      passphrase: <the value passphrase has now>', '      salt: <the value passphrase_salt has now>'],
    };
  }
  return undefined;
}

/**
 * `chatcore keys status`: the keys in the ring, the active one, and how many
 * stored values each protects, per repository (a full scan of the
 * protected columns), plus an unfinished rotation or migration if there is one. Exit 1
 * when a sample of the stored rows does not decrypt and authenticate with
 * the configured keys (wrong material, or a changed key order).
 *
 * @example
 * ```ts
 * const { json } = await keysStatusCommand(ctx, {});
 * ```
 */
export async function keysStatusCommand(ctx: CommandContext, options: { checkpoint?: string | undefined }): Promise<CommandResult> {
  const file = options.checkpoint ?? defaultCheckpointPath(resolve(ctx.options.config));
  return withDatabase(ctx, { connect: true, tables: true, columns: true }, async (db) => {
    const enc = encryptionOf(db);
    const check = await enc.checkKeys();
    const usage: KeyUsage = await enc.keyUsage();
    const rotation = readRotationState(file) ?? null;
    const migrations = await unfinishedMigrations(db);
    const keys = enc.keyIds().map((id) => ({ id, active: id === enc.activeKeyId, values: usage.byKey[id] ?? 0 }));
    const unknown = Object.keys(usage.byKey).filter((id) => !enc.keyIds().includes(id));
    const text = [
      `active key: ${enc.activeKeyId}`,
      ...keys.map((k) => `  ${k.id}${k.active ? ' (active)' : ''}: ${k.values} stored value(s)`),
      ...unknown.map((id) => `  ${id} (NOT IN THE KEYRING): ${usage.byKey[id]} stored value(s) cannot be decrypted`),
      'by repository:',
      ...Object.entries(usage.byRepository).map(([repo, m]) => `  ${repo}: ${Object.entries(m).map(([k, n]) => `${k}=${n}`).join(', ') || 'no values'}`),
      ...(rotation ? [`unfinished rotation to ${rotation.activeKeyId} (checkpoint ${file}): run chatcore keys rotate to finish it`] : []),
      ...(migrations.length ? [`unfinished migration(s) ${migrations.join(', ')}: values a rename has not rewritten yet are not counted above; run chatcore migrate to finish before retiring a key`] : []),
    ];
    const stale = keys.some((k) => !k.active && k.values > 0);
    if (stale) text.push('values under an inactive key remain: run chatcore keys rotate');
    if (check.keysMismatch) text.unshift(check.diagnosis!);
    const keyCheck = { sampledRows: check.scanned, failed: check.failed, keysMismatch: check.keysMismatch, ...(check.diagnosis ? { diagnosis: check.diagnosis } : {}) };
    return {
      exitCode: unknown.length || check.keysMismatch ? EXIT.CHECK_FAILED : EXIT.OK,
      json: { activeKeyId: enc.activeKeyId, keys, scanned: usage.scanned, byRepository: usage.byRepository, unknownKeys: unknown, rotation, unfinishedMigrations: migrations, keyCheck },
      text,
    };
  });
}

/**
 * `chatcore keys add --id <id>`: make a key (32 random bytes, or the value
 * of `--from-env VAR`), check it loads into the keyring beside the
 * configured keys, and print how to add it to chatcore.yaml. Key material
 * lives in the environment, not in the CLI: the printed `keys` entry
 * refers to a variable. A file with `root_key` or `passphrase` (no keyring
 * yet) gets the whole keyring that replaces it: the current key first under
 * its id, with placeholders for its values, then the new key.
 *
 * @example
 * ```ts
 * const { json } = await keysAddCommand(ctx, { id: 'k2', activate: true });
 * ```
 */
export async function keysAddCommand(ctx: CommandContext, options: { id: string; activate?: boolean; fromEnv?: string | undefined }): Promise<CommandResult> {
  const env = options.fromEnv ?? envNameOf(options.id);
  let key: string;
  if (options.fromEnv) {
    const value = ctx.env[options.fromEnv];
    if (!value) throw new CliError(`--from-env ${options.fromEnv}: the environment variable is not set.`, { code: 'USAGE' });
    key = value;
  } else {
    key = randomBytes(32).toString('base64');
  }
  return withDatabase(ctx, { connect: true }, async (db, app) => {
    const enc = encryptionOf(db);
    await enc.addKey({ id: options.id, key }, { activate: options.activate === true });
    const entry = [`    - id: ${options.id}`, `      key: \${${env}}`, ...(options.activate ? ['      active: true'] : [])];
    // A file with root_key or passphrase has no keys list to add to: the keyring replaces
    // it (and passphrase_salt, key_id), with that key first under the id its ciphertexts carry.
    const single = singleKeyOf(app.config.encryption);
    // Without --activate the current key stays the active one; two keys need one marked.
    const current = single === undefined ? [] : ['  keys:', `    - id: ${single.id}`, ...single.lines, ...(options.activate ? [] : ['      active: true'])];
    const yaml = [...current, ...entry];
    // With blind_index.key, that key roots the blind indexes and row authenticators, not the first key listed.
    const roots = app.config.encryption?.blindIndex?.key === undefined ? ` (${single === undefined ? 'the first key listed roots' : 'it roots'} the blind indexes and row authenticators: never move it)` : '';
    const text = [
      options.fromEnv ? `Key ${options.id} from ${env} loads beside the configured keys (${enc.keyIds().filter((k) => k !== options.id).join(', ')}).`
        : `Generated key ${options.id} (32 random bytes, base64). Store it as a secret, in ${env}:`,
      ...(options.fromEnv ? [] : [`  ${env}=${key}`]),
      single === undefined
        ? `Add it at the end of encryption.keys in your chatcore.yaml${roots}:`
        : `Your chatcore.yaml sets encryption.${single.source}: replace ${single.replaced} with this keyring, the current key first under its id${roots}:`,
      ...yaml,
      ...(single ? [`Replace each <the value ... has now> with what that setting holds now, unchanged (the same \${VAR} reference): another value is another key.`] : []),
      options.activate
        ? `${single === undefined ? 'and remove active: true from the previous key. ' : ''}Deploy, then run chatcore keys rotate to re-encrypt stored values under ${options.id}.`
        : `When it should protect new writes, mark it active: true (and the previous key not), deploy, and run chatcore keys rotate.`,
    ];
    return {
      exitCode: EXIT.OK,
      json: { id: options.id, env, active: options.activate === true, ...(options.fromEnv ? {} : { key }), yaml: yaml.join('\n') },
      text,
    };
  });
}

/**
 * Options of `chatcore keys rotate`.
 *
 * @example
 * ```ts
 * const o: RotateOptions = { batchSize: 500, concurrency: 4, checkpoint: 'rotation.json' };
 * ```
 */
export interface RotateOptions {
  /** Activate this key (already in the ring) for the run. Default: the configured active key. */
  readonly key?: string | undefined;
  /** Only these repositories (default: every repository with encrypted fields). */
  readonly repositories?: readonly string[] | undefined;
  readonly batchSize?: number | undefined;
  readonly concurrency?: number | undefined;
  /** Checkpoint file (default: `<config name>.rotation.json` next to the configuration). */
  readonly checkpoint?: string | undefined;
}

/**
 * `chatcore keys rotate`: re-encrypt every stored value that is not under
 * the active key, repository by repository, with a progress bar (rows,
 * rows/s, ETA) on a terminal. After every batch the checkpoint is saved
 * (atomically), so a run that is interrupted or killed resumes where it
 * stopped when started again; the file is removed once every repository it
 * lists is done (a run limited to some repositories keeps the others'
 * progress). Exit 1 if rows changed under the job and were skipped (run again).
 * Refused (exit 1) before any row changes while a migration is unfinished
 * (an interrupted rename of an encrypted field keeps values, and their row
 * authenticators, under the old name until the migration rewrites them).
 *
 * @example
 * ```ts
 * const result = await keysRotateCommand(ctx, { batchSize: 1000 });
 * ```
 */
export async function keysRotateCommand(ctx: CommandContext, options: RotateOptions): Promise<CommandResult> {
  const file = options.checkpoint ? resolve(ctx.cwd, options.checkpoint) : defaultCheckpointPath(resolve(ctx.cwd, ctx.options.config));
  return withDatabase(ctx, { connect: true, tables: true, columns: true }, async (db, { repositories }) => {
    const enc = encryptionOf(db);
    const check = await enc.checkKeys();
    if (check.keysMismatch) throw new CliError(`${check.diagnosis} Nothing was re-encrypted.`, { exitCode: EXIT.CHECK_FAILED, code: 'KEY' });
    if (options.key) enc.activateKey(options.key);
    const active = enc.activeKeyId;
    const names = protectedRepositories(enc, options.repositories);
    // An interrupted rename of an encrypted field leaves rows whose value and row authenticator are still under the
    // old name, which only the migration rewrites: the job would stop at the first of them, half done.
    const migrations = await unfinishedMigrations(db);
    if (migrations.length > 0) {
      const message = `migration(s) ${migrations.join(', ')} did not finish: a rename of an encrypted field may still hold values under its old name, which only the migration rewrites. Nothing was re-encrypted. Finish the migration first (chatcore migrate up), then run chatcore keys rotate.`;
      return { exitCode: EXIT.CHECK_FAILED, json: { ok: false, activeKeyId: active, error: { code: 'MIGRATION', message }, unfinishedMigrations: migrations }, text: [`Refused: ${message}`] };
    }
    const saved = readRotationState(file);
    const notes: string[] = [];
    if (saved && saved.activeKeyId !== active) notes.push(`The checkpoint in ${file} was for key ${saved.activeKeyId}; starting over for ${active}.`);
    const state: Record<string, RepositoryRotation> = saved && saved.activeKeyId === active ? { ...saved.repositories } : {};
    const save = () => writeRotationState(file, { version: 1, activeKeyId: active, repositories: state } satisfies RotationState);

    const controller = new AbortController();
    const stop = () => controller.abort(new CliError('Interrupted: run chatcore keys rotate again to resume from the checkpoint.', { exitCode: EXIT.CHECK_FAILED, code: 'INTERRUPTED' }));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const results: Array<{ repository: string; scanned: number; rewritten: number; skipped: number; resumed: boolean; seconds: number; rowsPerSecond: number }> = [];
    try {
      for (const name of names) {
        const before = state[name];
        if (before?.done) {
          results.push({ repository: name, scanned: 0, rewritten: 0, skipped: 0, resumed: true, seconds: 0, rowsPerSecond: 0 });
          continue;
        }
        const repo = counter(db, repositories, name);
        const total = await repo.count();
        const done = before?.checkpoint ? await repo.count({ id: { lte: before.checkpoint } }).catch(() => 0) : 0;
        const bar = createProgress(ctx.io, name, total, done);
        const began = performance.now();
        state[name] = { checkpoint: before?.checkpoint ?? null, done: false, scanned: before?.scanned ?? 0, rewritten: before?.rewritten ?? 0 };
        save();
        let result;
        try {
          result = await enc.reencrypt({
            repository: name,
            checkpoint: before?.checkpoint ?? null,
            ...(options.batchSize ? { batchSize: options.batchSize } : {}),
            ...(options.concurrency ? { concurrency: options.concurrency } : {}),
            signal: controller.signal,
            onProgress: (p) => {
              state[name] = { checkpoint: p.checkpoint, done: p.done, scanned: (before?.scanned ?? 0) + p.scanned, rewritten: (before?.rewritten ?? 0) + p.rewritten };
              save();
              bar.update(done + p.scanned);
            },
          });
        } finally {
          bar.stop();
        }
        // Rows skipped under concurrent writes are rescanned by the next run.
        if (result.skipped > 0) state[name] = { checkpoint: null, done: false, scanned: 0, rewritten: 0 };
        const seconds = (performance.now() - began) / 1000;
        results.push({ repository: name, scanned: result.scanned, rewritten: result.rewritten, skipped: result.skipped, resumed: before !== undefined, seconds, rowsPerSecond: seconds > 0 ? Math.round(result.scanned / seconds) : 0 });
      }
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    // The file may hold other repositories' progress (a run limited by --repository): keep it until all are done.
    const unfinished = Object.keys(state).filter((n) => !state[n]!.done);
    if (unfinished.length === 0) clearRotationState(file);
    else save();
    const skipped = results.reduce((n, r) => n + r.skipped, 0);
    const left = unfinished.filter((n) => !names.includes(n));
    const pending = left.length ? `Still to re-encrypt: ${left.join(', ')} (checkpoint kept in ${file}): run chatcore keys rotate to finish.` : undefined;
    const text = [
      ...notes,
      `Re-encrypted under ${active}:`,
      ...results.map((r) => `  ${r.repository}: ${r.scanned} rows scanned, ${r.rewritten} values rewritten${r.skipped ? `, ${r.skipped} skipped (changed during the run)` : ''}${r.resumed ? ' (resumed)' : ''}, ${r.rowsPerSecond} rows/s`),
      ...(pending ? [pending] : []),
      skipped ? `${skipped} row(s) changed while being rewritten: run chatcore keys rotate again.`
        : pending ? 'Done for these repositories.' : 'Done. Check with chatcore keys status, then retire the old key with chatcore keys retire <id>.',
    ];
    return { exitCode: skipped ? EXIT.CHECK_FAILED : EXIT.OK, json: { ok: !skipped, activeKeyId: active, repositories: results, skipped, checkpoint: file, unfinished, notes }, text };
  });
}

/**
 * `chatcore keys retire <id>`: refuse (exit 1) while a migration is
 * unfinished (an interrupted rename keeps values under the old name);
 * verify every stored value first (a full
 * scan, as `keys verify`) and refuse (exit 1) when any fails, since a ring
 * that does not match the data cannot say which key is unused; refuse
 * (exit 1, naming the repositories and counts) while any stored value uses
 * the key or when it is the active key;
 * otherwise confirm that it can be removed from chatcore.yaml, except the
 * key that roots the blind indexes and row authenticators (the first key
 * listed, when `blind_index.key` is not set), which must stay there
 * (`keepInConfig: true` in JSON).
 *
 * @example
 * ```ts
 * const result = await keysRetireCommand(ctx, 'k1');
 * ```
 */
export async function keysRetireCommand(ctx: CommandContext, id: string): Promise<CommandResult> {
  return withDatabase(ctx, { connect: true, tables: true, columns: true }, async (db) => {
    const enc = encryptionOf(db);
    // Read before retiring: retireKey removes the key from the running ring, and the index key (the
    // first listed, unless blind_index.key is set) stays the blind-index and row-authenticator root.
    const keepInConfig = enc.indexRootKeyId() === id;
    // A key must not be declared unused by a ring that cannot read the data: a new key listed first, or
    // wrong material under an id, leaves every value counted under its key id while none can be read.
    // An interrupted rename of an encrypted field keeps values under the old name, which this process cannot count.
    const migrations = await unfinishedMigrations(db);
    if (migrations.length > 0) {
      const message = `migration(s) ${migrations.join(', ')} did not finish: a rename of an encrypted field may still hold values under key ${id} under its old name. Finish the migration first (chatcore migrate), then retire the key.`;
      return { exitCode: EXIT.CHECK_FAILED, json: { ok: false, id, retired: false, error: { code: 'MIGRATION', message }, unfinishedMigrations: migrations }, text: [`Refused: ${message}`] };
    }
    const verified = await enc.verify({ maxFindings: 5 });
    if (verified.failed > 0) {
      const message = `the stored data does not verify with the configured keys (${verified.failed} failure(s) in ${verified.scanned} row(s)). ${verified.diagnosis ?? ''} Key ${id} may still be needed: keep it and its secret, and run chatcore keys verify for the list.`;
      return {
        exitCode: EXIT.CHECK_FAILED,
        json: { ok: false, id, retired: false, error: { code: 'VERIFY', message }, verify: { scanned: verified.scanned, failed: verified.failed, keysMismatch: verified.keysMismatch, diagnosis: verified.diagnosis ?? null } },
        text: [`Refused: ${message}`],
      };
    }
    try {
      const { scanned } = await enc.retireKey(id);
      return {
        exitCode: EXIT.OK,
        json: { ok: true, id, retired: true, scanned, keepInConfig },
        text: [keepInConfig
          ? `Key ${id} protects no stored value (${scanned} rows scanned). It encrypts nothing now; keep it first in encryption.keys: its material still derives the blind indexes and row authenticators.`
          : `Key ${id} protects no stored value (${scanned} rows scanned). Remove it from encryption.keys in chatcore.yaml, deploy, then delete its secret.`],
      };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'KEY') throw error;
      // The plugin speaks of its API (reencrypt); the operator's next step is the rotate command.
      const message = (error as Error).message.replace('run reencrypt for those repositories', 'run chatcore keys rotate');
      return { exitCode: EXIT.CHECK_FAILED, json: { ok: false, id, retired: false, error: { code: 'KEY', message } }, text: [`Refused: ${message}`] };
    }
  });
}
