import type { ValidationIssue } from '../errors.js';
import type { FieldMeta } from './field-meta.js';
import { INT64_MAX, INT64_MIN } from './integer-range.js';
import { validateValue } from '../repository/validate-value.js';

/**
 * What is wrong with a field's own declaration, or undefined when nothing:
 * bounds no value or no storage can keep (`min` above `max`, a negative or
 * fractional length, a non-finite `number` bound, an `integer` bound that
 * is fractional or infinite, a `bigint` bound past int64), an enum
 * with no values or a repeated one, or a default value its own rules
 * refuse. The message names `where` (e.g. `users.age`) and says what to
 * write instead; defineRepository throws it in a ConfigError, so the
 * mistake shows where the field is declared, not at the first write.
 *
 * @example
 * ```ts
 * declarationProblem('counters.n', f.integer({ min: 10, max: 1 }).meta);
 * // 'counters.n declares min 10 above max 1: no value fits; swap them or widen the range.'
 * ```
 */
export function declarationProblem(where: string, meta: FieldMeta): string | undefined {
  const bounds = boundsProblem(where, meta);
  if (bounds) return bounds;
  if (meta.type === 'enum') {
    const values = meta.values ?? [];
    if (values.length === 0) return `${where} is f.enum([]) with no values: no value fits; list at least one.`;
    const repeated = values.find((v, i) => values.indexOf(v) !== i);
    if (repeated !== undefined) return `${where} lists the enum value ${JSON.stringify(repeated)} twice; list each value once.`;
  }
  if (meta.type === 'array' && meta.items) {
    const items = declarationProblem(`the items of ${where}`, meta.items);
    if (items) return items;
  }
  if (meta.default !== undefined && meta.default !== null && typeof meta.default !== 'function' && !meta.managed) {
    const issues: ValidationIssue[] = [];
    validateValue(meta, meta.default, where, issues);
    if (issues.length) return `${where} has a default() its own rules refuse (${issues[0]!.message}): change the default or the rules.`;
  }
  return undefined;
}

/** The problem with a field's `min`/`max`, or undefined. */
function boundsProblem(where: string, meta: FieldMeta): string | undefined {
  const { min, max } = meta;
  if (min === undefined && max === undefined) return undefined;
  switch (meta.type) {
    case 'string':
    case 'text':
    case 'bytes': {
      const unit = meta.type === 'bytes' ? 'byte' : 'character';
      for (const [side, v] of [['min', min], ['max', max]] as const) {
        if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
          return `${where} declares ${side} ${String(v)}: a length is a whole, non-negative number of ${unit}s; write e.g. ${side}: ${Math.max(0, Math.round(Number(v)) || 0)}.`;
        }
      }
      break;
    }
    case 'number':
      for (const [side, v] of [['min', min], ['max', max]] as const) {
        if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
          return `${where} declares ${side} ${String(v)}: a number field holds finite numbers only, so a bound is a finite number; leave ${side} out for no bound.`;
        }
      }
      break;
    case 'integer':
      for (const [side, v] of [['min', min], ['max', max]] as const) {
        if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v))) {
          return `${where} declares ${side} ${String(v)}: an integer field's bound is a finite whole number; write e.g. ${side}: ${Number.isFinite(Number(v)) ? Math.round(Number(v)) : 0}, leave it out, or use f.number() for fractions.`;
        }
      }
      break;
    case 'bigint':
      for (const [side, v] of [['min', min], ['max', max]] as const) {
        if (v !== undefined && (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX)) {
          return `${where} declares ${side} ${String(v)}: a bigint field's bound is a bigint within -(2^63) to 2^63 - 1 (a 64-bit column); write e.g. ${side}: ${side === 'min' ? INT64_MIN : INT64_MAX}n, or leave it out.`;
        }
      }
      break;
    default:
      return undefined;
  }
  if (min !== undefined && max !== undefined && min > max) {
    return `${where} declares min ${String(min)} above max ${String(max)}: no value fits; swap them or widen the range.`;
  }
  return undefined;
}
