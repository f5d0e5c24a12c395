import { c, ConfigType, INVALID, jsonSchemaOf, type InferConfig } from '@chatcore/core/config';
import type { AuditOptions } from './audit-options.js';

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const sampled = c.object({ sampleRate: c.number({ min: 0, max: 1 }) }, { required: ['sampleRate'] });
// `reads: all`, `reads: none`, or `reads: { sample_rate: 0.1 }`, as audit({ reads }) takes them.
const reads = new ConfigType<'all' | 'none' | { sampleRate: number }>({
  shape: sampled.state.shape,
  secret: false,
  hasDefault: false,
  describe: 'all | none | { sample_rate }',
  jsonSchema: { anyOf: [{ type: 'string', enum: ['all', 'none'] }, jsonSchemaOf(sampled)] },
  write: (v, redact, secret) => (typeof v === 'string' ? v : sampled.write(v, redact, secret)),
  read: (value, at) => {
    if (value === 'all' || value === 'none') return value;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const r = sampled.state.read(value, at);
      return r === INVALID ? INVALID : { sampleRate: r.sampleRate as number };
    }
    at.checker.fail(at.path, `expected all, none or a map { sample_rate: 0..1 }, got ${at.checker.describe(value, at.path, at.secret)}`);
    return INVALID;
  },
});

/**
 * The `audit` section of chatcore.yaml, owned by `@chatcore/audit`: the
 * keys of `audit()` in snake_case. Defaults are the plugin's.
 *
 * @example
 * ```ts
 * import { auditSection } from '@chatcore/audit';
 * Object.keys(auditSection.state.shape ?? {}); // ['sinks', 'reads', ...]
 * ```
 */
export const auditSection = c.object(
  {
    sinks: c.object({
      console: c.boolean().describedAs('JSON lines on stdout.'),
      file: c.string({ max: 4096 }).describedAs('Path of a JSON-lines file (created with mode 0600).'),
      outbox: c.boolean().describedAs('Audit rows written in the operation\'s own transaction, chained after commit.'),
    }).describedAs('Where events go; at least one sink. Default: console.'),
    reads: reads.describedAs('Which reads are recorded: all (default), none, or { sample_rate: 0..1 }.'),
    maxIds: c.integer({ min: 1 }).describedAs('At most this many ids per event (default 100).'),
    includeValues: c.record(c.list(c.string({ max: 200, pattern: NAME, patternHint: 'a field name' })))
      .describedAs('Non-sensitive fields whose values may be recorded, by repository: { users: [name] }.'),
    slowQueryThreshold: c.duration({ min: 0 }).describedAs('Operations slower than this get a performance event (default 500ms).'),
    queue: c.object({
      capacity: c.integer({ min: 1 }).describedAs('Events held before back-pressure (or dropping) starts (default 10000).'),
      overflow: c.enum(['block', 'drop']).describedAs('block (default): callers wait; drop: events are dropped, counted and reported.'),
      batchSize: c.integer({ min: 1 }).describedAs('Events written per batch (default 512).'),
    }),
    checkpoints: c.object({
      file: c.string({ max: 4096 }).describedAs('Where hash-chain checkpoints are kept, outside the chain.'),
      every: c.integer({ min: 1 }).describedAs('Events between checkpoints (default 1000).'),
    }),
    recordRollbacks: c.boolean().describedAs('Also record each rolled-back transaction attempt (default false).'),
  },
  {
    refine(audit, fail) {
      const s = audit.sinks;
      if (s && !s.console && !s.file && !s.outbox) fail('sinks', 'no sink is on: set console: true, file: <path> or outbox: true');
    },
  },
);

/**
 * The checked `audit` section, camelCased.
 *
 * @example
 * ```ts
 * const section: AuditSection = { sinks: { file: '/var/log/chatcore/audit.log' }, reads: { sampleRate: 0.1 } };
 * ```
 */
export type AuditSection = InferConfig<typeof auditSection>;

declare module '@chatcore/core/config' {
  interface ConfigSections {
    audit: AuditSection;
  }
}

/**
 * `audit()` options from the checked `audit` section.
 *
 * @example
 * ```ts
 * auditOptionsFromConfig({ sinks: { outbox: true }, reads: 'none' }); // { sinks: { outbox: true }, reads: 'none' }
 * ```
 */
export function auditOptionsFromConfig(section: AuditSection): AuditOptions {
  const s = section.sinks;
  return {
    ...(s ? { sinks: { ...(s.console !== undefined ? { console: s.console } : {}), ...(s.file !== undefined ? { file: s.file } : {}), ...(s.outbox !== undefined ? { outbox: s.outbox } : {}) } } : {}),
    ...(section.reads !== undefined ? { reads: section.reads } : {}),
    ...(section.maxIds !== undefined ? { maxIds: section.maxIds } : {}),
    ...(section.includeValues !== undefined ? { includeValues: section.includeValues } : {}),
    ...(section.slowQueryThreshold !== undefined ? { slowQueryThreshold: section.slowQueryThreshold } : {}),
    ...(section.queue !== undefined ? { queue: section.queue } : {}),
    ...(section.checkpoints !== undefined ? { checkpoints: section.checkpoints } : {}),
    ...(section.recordRollbacks !== undefined ? { recordRollbacks: section.recordRollbacks } : {}),
  };
}
