import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuditCheckpoint, AuditPlugin, VerifyReport } from '@chatcore/audit';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import type { CommandResult } from '../output.js';
import { withDatabase, type CommandContext } from '../command-context.js';
import { readStackConfig } from '../open-stack.js';

type AuditModule = typeof import('@chatcore/audit');

async function auditModule(): Promise<AuditModule> {
  try {
    return await import('@chatcore/audit');
  } catch (error) {
    throw new CliError('audit verify needs @chatcore/audit, which is not installed: pnpm add @chatcore/audit', { cause: error, code: 'CONFIG' });
  }
}

/**
 * Options of `chatcore audit verify`.
 *
 * @example
 * ```ts
 * const o: AuditVerifyOptions = { from: 'file', trail: ['/var/log/chatcore/audit.log.1', '/var/log/chatcore/audit.log'], checkpoints: '/var/lib/chatcore/audit.checkpoints' };
 * ```
 */
export interface AuditVerifyOptions {
  /**
   * `file` (the audit section's file sink, or the `trail` files) or `db` (the
   * outbox tables). Default: file when `trail` is given; otherwise db with
   * `sinks: { outbox: true }`, file without. `db` with `trail` is a usage error.
   */
  readonly from?: 'file' | 'db' | undefined;
  /** Trail file(s) to verify instead of the configured file sink, `audit.sinks.file` (oldest first); implies `from: 'file'`. */
  readonly trail?: readonly string[] | undefined;
  /**
   * Checkpoint file (default: `audit.checkpoints.file` for files, the outbox's checkpoints for db).
   * A configured `audit.checkpoints.file` that does not exist yet is no checkpoint at all (a
   * warning, and every closed stream unanchored); a `checkpoints` file that does not exist is a usage error.
   */
  readonly checkpoints?: string | undefined;
}

function mustExist(file: string, what: string): string {
  if (!existsSync(file)) throw new CliError(`The ${what} ${file} does not exist.`, { code: 'USAGE' });
  return file;
}

function summary(report: VerifyReport, source: string): string[] {
  const warnings = (report.warnings ?? []).map((w) => `  warning: ${w}`);
  if (report.ok) {
    return [
      `Audit trail intact: ${report.events} event(s) from ${source}.`,
      ...report.streams.map((s) => `  stream ${s.stream}: seq 1..${s.lastSeq}${s.checkpointSeq ? `, checkpoint at seq ${s.checkpointSeq}` : ', no checkpoint'}`),
      ...warnings,
    ];
  }
  const p = report.problem!;
  if (p.kind === 'truncated') {
    // The events end at p.seq: the break is after it, and the source is what lost them.
    const what = [p.stream ? `stream ${p.stream}` : undefined, source].filter(Boolean).join(', ');
    return [`Audit trail BROKEN: truncated after seq ${p.seq ?? 0} (${what}): ${p.message}`, ...warnings];
  }
  const where = [p.stream ? `stream ${p.stream}` : undefined, p.file ? `${p.file}:${p.line}` : `event #${p.position}`].filter(Boolean).join(', ');
  // A line that is no event has no seq: it is named by its place alone.
  return [`Audit trail BROKEN${p.seq === undefined ? '' : ` at seq ${p.seq}`} (${p.kind}; ${where}): ${p.message}`, ...warnings];
}

/**
 * `chatcore audit verify`: recompute the hash chain of the audit trail
 * (a file sink's JSON lines, or the outbox tables) and compare it with the
 * checkpoints kept outside it. Exit 1 on the first broken link, naming its
 * sequence number, stream and position.
 *
 * @example
 * ```ts
 * const result = await auditVerifyCommand(ctx, { from: 'file', checkpoints: 'audit.checkpoints' });
 * ```
 */
export async function auditVerifyCommand(ctx: CommandContext, options: AuditVerifyOptions): Promise<CommandResult> {
  const { verifyAuditTrail } = await auditModule();
  const config = options.trail?.length && !existsSync(resolve(ctx.cwd, ctx.options.config)) ? undefined : await readStackConfig(ctx.options.config, ctx.env);
  const section = config?.audit;
  const trail = Boolean(options.trail?.length);
  if (trail && options.from === 'db') throw new CliError('--trail names trail files to verify; it cannot be combined with --from db.', { code: 'USAGE' });
  // An explicit trail is what the caller asked to verify, whatever sinks the config has.
  const from = options.from ?? (trail || !section?.sinks?.outbox ? 'file' : 'db');
  if (from === 'db' && !section?.sinks?.outbox) {
    // Checked before connecting: opening the stack would start a stream in the file sink.
    throw new CliError(`--from db verifies the audit outbox, but ${config?.audit ? 'the audit section has no outbox sink' : 'the configuration has no audit section'}: verify a file trail with --from file (or --trail <file>), or add sinks: { outbox: true } to the audit section.`, { code: 'USAGE' });
  }
  const checkpointFile = options.checkpoints ?? (from === 'file' ? section?.checkpoints?.file : undefined);
  let report: VerifyReport;
  let source: string;
  if (from === 'file') {
    const files = options.trail?.length ? [...options.trail] : section?.sinks?.file ? [section.sinks.file] : [];
    if (files.length === 0) throw new CliError('No trail file: the audit section has no file sink (sinks: { file: <path> }); pass --trail <file>.', { code: 'USAGE' });
    const paths = files.map((f) => mustExist(resolve(ctx.cwd, f), 'audit trail'));
    const configured = options.checkpoints === undefined && checkpointFile ? resolve(ctx.cwd, checkpointFile) : undefined;
    if (configured && !existsSync(configured)) {
      // The data's state, not a usage error: a writer before its first checkpoint, or the file removed.
      // No checkpoint at all: each stream is judged as one without any (warning, or unanchored once closed).
      report = await verifyAuditTrail(paths, []);
      const missing = `the checkpoint file ${configured} (audit.checkpoints.file) does not exist: no checkpoint vouches for this trail (a writer that has not written its first checkpoint yet, or the file was removed)`;
      report = { ...report, warnings: [missing, ...report.warnings] };
    } else {
      report = await verifyAuditTrail(paths, checkpointFile ? mustExist(resolve(ctx.cwd, checkpointFile), 'checkpoint file') : undefined);
    }
    source = paths.join(', ');
  } else {
    report = await withDatabase(ctx, { connect: true, tables: (s) => s.ownedBy === 'audit' }, async (db) => {
      const audit = db.plugins.find((p) => typeof (p as Partial<AuditPlugin>).outboxReader === 'function') as AuditPlugin | undefined;
      if (!audit) throw new CliError('--from db needs the audit plugin with sinks: { outbox: true }.', { code: 'USAGE' });
      await audit.flush();
      const reader = audit.outboxReader();
      const cps: AuditCheckpoint[] | string = checkpointFile ? mustExist(resolve(ctx.cwd, checkpointFile), 'checkpoint file') : await reader.checkpoints();
      return verifyAuditTrail(reader, cps);
    });
    source = 'the outbox';
  }
  return { exitCode: report.ok ? EXIT.OK : EXIT.CHECK_FAILED, json: { from, ...report }, text: summary(report, source) };
}
