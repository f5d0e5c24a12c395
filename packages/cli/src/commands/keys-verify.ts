import type { IntegrityFinding, VerifyResult } from '@chatcore/encryption';
import { EXIT } from '../exit-codes.js';
import type { CommandResult } from '../output.js';
import { withDatabase, type CommandContext } from '../command-context.js';
import { encryptionOf, protectedRepositories } from '../encryption-of.js';

/**
 * Options of `chatcore keys verify`.
 *
 * @example
 * ```ts
 * const o: VerifyCommandOptions = { repositories: ['users'], maxFindings: 20 };
 * ```
 */
export interface VerifyCommandOptions {
  /** Only these repositories (default: every repository with encrypted fields). */
  readonly repositories?: readonly string[] | undefined;
  readonly batchSize?: number | undefined;
  /** Failures listed at most (default 20); the counts cover them all. */
  readonly maxFindings?: number | undefined;
}

const PROBLEM_TEXT: Record<IntegrityFinding['problem'], string> = {
  integrity: 'fails authentication',
  key_missing: 'key missing',
  not_ciphertext: 'not encrypted (no chatcore ciphertext)',
};

function findingLine(f: IntegrityFinding): string {
  return `  ${f.repository} ${f.id} ${f.field}: ${PROBLEM_TEXT[f.problem]}${f.keyId ? ` (key ${f.keyId})` : ''}`;
}

/**
 * The lines that report a failed verification: the diagnosis, then the
 * failures listed (at most `max`) and how many more there are.
 *
 * @example
 * ```ts
 * const lines = verifyFailureText({ scanned: 1, values: 2, failed: 0, findings: [], keysMismatch: false }, 20); // []
 * ```
 */
export function verifyFailureText(result: VerifyResult, max: number): string[] {
  const listed = result.findings.slice(0, max);
  return [
    ...(result.diagnosis ? [result.diagnosis] : []),
    ...listed.map(findingLine),
    ...(result.failed > listed.length ? [`  ... and ${result.failed - listed.length} more`] : []),
  ];
}

/**
 * `chatcore keys verify`: decrypt and authenticate every stored value of
 * the protected repositories below every plugin (a full scan; no value is
 * printed), and list what fails, with the likely cause (the configured keys
 * do not match the stored data, or rows were altered). Exit 1 on any failure.
 *
 * @example
 * ```ts
 * const result = await keysVerifyCommand(ctx, { maxFindings: 20 });
 * result.exitCode; // 0 when every value checks
 * ```
 */
export async function keysVerifyCommand(ctx: CommandContext, options: VerifyCommandOptions): Promise<CommandResult> {
  return withDatabase(ctx, { connect: true, tables: true, columns: true }, async (db) => {
    const enc = encryptionOf(db);
    const max = options.maxFindings ?? 20;
    // Unknown names are a usage error here as in keys rotate; none asked for is one scan of them all.
    const names = options.repositories?.length ? protectedRepositories(enc, options.repositories) : [undefined];
    const results: VerifyResult[] = [];
    for (const repository of names) {
      results.push(await enc.verify({ ...(repository ? { repository } : {}), ...(options.batchSize ? { batchSize: options.batchSize } : {}), maxFindings: max }));
    }
    const result = results.length === 1 ? results[0]! : merge(results, max);
    const ok = result.failed === 0;
    const head = ok
      ? `Verified ${result.scanned} row(s), ${result.values} stored value(s): every value decrypts and every row authenticates.`
      : `VERIFICATION FAILED: ${result.failed} failure(s) in ${result.scanned} row(s), ${result.values} stored value(s).`;
    return {
      exitCode: ok ? EXIT.OK : EXIT.CHECK_FAILED,
      json: { ok, scanned: result.scanned, values: result.values, failed: result.failed, keysMismatch: result.keysMismatch, diagnosis: result.diagnosis ?? null, findings: result.findings.slice(0, max), truncated: result.failed > Math.min(max, result.findings.length) },
      text: [head, ...(ok ? [] : verifyFailureText(result, max))],
    };
  });
}

function merge(results: readonly VerifyResult[], max: number): VerifyResult {
  const failing = results.filter((r) => r.failed > 0);
  return {
    scanned: results.reduce((n, r) => n + r.scanned, 0),
    values: results.reduce((n, r) => n + r.values, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    findings: results.flatMap((r) => r.findings).slice(0, max),
    keysMismatch: results.some((r) => r.keysMismatch),
    diagnosis: failing.map((r) => r.diagnosis).filter((d, i, all) => d && all.indexOf(d) === i).join(' ') || undefined,
  };
}
