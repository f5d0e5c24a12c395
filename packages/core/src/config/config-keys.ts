import { toSnakeCase } from '../util/naming.js';
import type { AnyConfigType } from './config-type.js';

/**
 * One key of the configuration schema, as the reference documents it.
 *
 * @example
 * ```ts
 * const k: ConfigKey = { path: 'database.query_timeout', typescript: 'database.queryTimeout', type: 'duration', secret: false, default: 30000 };
 * ```
 */
export interface ConfigKey {
  /** YAML path; `[]` stands for any list item, `<name>` for any map key. */
  readonly path: string;
  readonly typescript: string;
  readonly type: string;
  readonly secret: boolean;
  readonly default?: unknown;
  readonly doc?: string | undefined;
  /** Bounds the value must keep, from its schema: `1..65535`, `>= 1`, `at most 4096 characters`, `matching ^rediss?://`. */
  readonly constraint?: string | undefined;
}

function constraintOf(schema: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!schema) return undefined;
  const s = (Array.isArray(schema.anyOf) ? schema.anyOf[0] : schema) as Record<string, unknown>;
  const parts: string[] = [];
  const min = s.minimum as number | undefined;
  const max = s.maximum as number | undefined;
  if (min !== undefined && max !== undefined) parts.push(`${min}..${max}`);
  else if (min !== undefined) parts.push(`>= ${min}`);
  else if (max !== undefined) parts.push(`<= ${max}`);
  if (typeof s.maxLength === 'number') parts.push(`at most ${s.maxLength} characters`);
  if (typeof s.minLength === 'number' && s.minLength > 1) parts.push(`at least ${s.minLength} characters`);
  if (typeof s.pattern === 'string') parts.push(`matching ${s.pattern}`);
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * Every key of a set of sections, depth first, for reference docs, CLI help
 * and the test that keeps docs/configuration.md complete.
 *
 * @example
 * ```ts
 * configKeys(configSections()).map((k) => k.path); // ['database', 'database.backend', ...]
 * ```
 */
export function configKeys(sections: Readonly<Record<string, AnyConfigType>>): ConfigKey[] {
  const out: ConfigKey[] = [];
  const visit = (type: AnyConfigType, path: string, ts: string, secret: boolean) => {
    const s = type.state;
    const isSecret = secret || s.secret;
    out.push({
      path, typescript: ts, type: s.describe, secret: isSecret, doc: s.doc, constraint: constraintOf(s.jsonSchema),
      ...(s.hasDefault ? { default: s.defaultValue } : {}),
    });
    if (s.shape) {
      for (const [name, child] of Object.entries(s.shape)) visit(child, `${path}.${toSnakeCase(name)}`, `${ts}.${name}`, isSecret);
    } else if (s.item) {
      const list = s.describe.startsWith('list');
      visit(s.item, list ? `${path}[]` : `${path}.<name>`, list ? `${ts}[]` : `${ts}.<name>`, isSecret);
    }
  };
  for (const [name, type] of Object.entries(sections)) visit(type, name, name, false);
  return out;
}
