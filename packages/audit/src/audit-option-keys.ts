import { checkOptionKeys, optionKeys } from '@chatcore/core/plugin';
import type { AuditOptions, OutboxOptions } from './audit-options.js';
import type { ConsoleSinkOptions, FileSinkOptions } from './sinks/winston-sinks.js';

type Member<K extends keyof AuditOptions> = NonNullable<AuditOptions[K]>;

const AUDIT_OPTION_KEYS = optionKeys<AuditOptions>({
  name: true, sinks: true, reads: true, maxIds: true, includeValues: true, slowQueryThreshold: true, anomalies: true,
  queue: true, checkpoints: true, recordRollbacks: true, stream: true,
});
const NESTED: ReadonlyArray<readonly [keyof AuditOptions, readonly string[]]> = [
  ['sinks', optionKeys<Member<'sinks'>>({ console: true, file: true, outbox: true, transports: true })],
  ['anomalies', optionKeys<Member<'anomalies'>>({ readsPerActor: true, bulkDelete: true })],
  ['queue', optionKeys<Member<'queue'>>({ capacity: true, overflow: true, batchSize: true, flushAfter: true })],
  ['checkpoints', optionKeys<Member<'checkpoints'>>({ file: true, every: true, fileMode: true })],
];
const SINK_KEYS: Readonly<Record<string, readonly string[]>> = {
  console: optionKeys<ConsoleSinkOptions>({ stream: true }),
  file: optionKeys<FileSinkOptions>({ path: true, fileMode: true, rotate: true }),
  outbox: optionKeys<OutboxOptions>({ table: true, linkTable: true, headTable: true, checkpointTable: true, chainBatch: true, chainDelay: true }),
};

const ROTATE_KEYS = optionKeys<NonNullable<FileSinkOptions['rotate']>>({ datePattern: true, maxSize: true, maxFiles: true, zippedArchive: true });

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Refuse option keys `audit()` does not know, at the top level and in
 * `sinks` (and each sink's settings, the file sink's `rotate` too), `anomalies`, `queue` and
 * `checkpoints`: a misspelt key would be ignored and events go unrecorded.
 * Throws a ConfigError naming each unknown key, with a "did you mean" hint.
 *
 * @example
 * ```ts
 * checkAuditOptions({ sinks: { file: 'audit.log' } }); // fine
 * checkAuditOptions({ sink: 'file' }); // ConfigError: audit.sink: unknown option (did you mean sinks?) ...
 * ```
 */
export function checkAuditOptions(options: AuditOptions): void {
  checkOptionKeys(options, 'audit', AUDIT_OPTION_KEYS);
  for (const [key, known] of NESTED) {
    const value = options[key];
    if (value !== undefined) checkOptionKeys(value, `audit.${key}`, known);
  }
  const sinks: Record<string, unknown> = isMap(options.sinks) ? options.sinks : {};
  for (const [name, known] of Object.entries(SINK_KEYS)) {
    if (isMap(sinks[name])) checkOptionKeys(sinks[name], `audit.sinks.${name}`, known);
  }
  const file = sinks.file;
  if (isMap(file) && isMap(file.rotate)) checkOptionKeys(file.rotate, 'audit.sinks.file.rotate', ROTATE_KEYS);
}
