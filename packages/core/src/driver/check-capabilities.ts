import { UnsupportedQueryError } from '../errors.js';
import type { Condition } from '../query/condition.js';
import type { Operation } from '../plugin/operation.js';
import type { DriverCapabilities } from './capabilities.js';

type Flag = 'or' | 'ne' | 'notIn' | 'startsWith' | 'notStartsWith' | 'substring' | 'insensitive' | 'arrayContains' | 'arrayContainsAll' | 'notArrayContains';

/**
 * Whether a driver lacks any query feature, so that fully capable drivers
 * skip the walk over every filter.
 *
 * @example
 * ```ts
 * const limited = isLimited(driver.capabilities);
 * ```
 */
export function isLimited(caps: DriverCapabilities): boolean {
  return !(caps.offset && caps.or && caps.ne && caps.notIn && caps.startsWith && caps.notStartsWith && caps.upsertOnUniqueFields
    && caps.substring && caps.insensitive && caps.arrayContains && caps.arrayContainsAll && caps.notArrayContains && caps.distinct && caps.groupBy && caps.aggregateMinMax && caps.countField && caps.limitPerGroup === true) || caps.maxInList !== undefined;
}

/**
 * Refuse, with UnsupportedQueryError, an operation the driver declares it
 * cannot run (offset, distinct, or, ne, notIn, startsWith and its negation,
 * substring and case-insensitive text, array tests, long `in` lists, upsert
 * on a non-id key), before any plugin or the driver sees it:
 * a backend must never silently answer a different question.
 *
 * @example
 * ```ts
 * checkCapabilities(op, driver.capabilities, driver.name); // throws UnsupportedQueryError
 * ```
 */
export function checkCapabilities(op: Operation, caps: DriverCapabilities, driverName: string): void {
  switch (op.kind) {
    case 'query':
      if (op.query.offset && !caps.offset) {
        throw new UnsupportedQueryError(`The ${driverName} driver does not support offset; page with cursors (findPage / after) instead.`, { info: { capability: 'offset' } });
      }
      if (op.query.distinct && !caps.distinct) {
        throw new UnsupportedQueryError(`The ${driverName} driver does not support distinct; read the rows and keep the first of each value in your code.`, { info: { capability: 'distinct' } });
      }
      if (op.query.limitPerGroup && !caps.limitPerGroup) {
        throw new UnsupportedQueryError(`The ${driverName} driver does not support limitPerGroup; run one query per group value with a limit.`, { info: { capability: 'limitPerGroup' } });
      }
      if (op.query.through && !caps.limitThrough) {
        throw new UnsupportedQueryError(`The ${driverName} driver does not support through; read the join rows, then the targets by id.`, { info: { capability: 'limitThrough' } });
      }
      checkCondition(op.query.where, caps, driverName);
      return;
    case 'count':
      checkCondition(op.where, caps, driverName);
      return;
    case 'aggregate':
      if (op.aggregate.groupBy.length && !caps.groupBy) {
        throw new UnsupportedQueryError(`The ${driverName} driver cannot group an aggregate (groupBy); run one aggregate per group value with a where, or group in your code.`, { info: { capability: 'groupBy' } });
      }
      if (op.aggregate.measures.some((m) => m.fn === 'min' || m.fn === 'max') && !caps.aggregateMinMax) {
        throw new UnsupportedQueryError(`The ${driverName} driver has no min / max aggregate; use findOne with orderBy on the field instead.`, { info: { capability: 'aggregateMinMax' } });
      }
      if (op.aggregate.measures.some((m) => m.fn === 'count' && m.field !== null) && !caps.countField) {
        const f = op.aggregate.measures.find((m) => m.fn === 'count' && m.field !== null)!.field;
        throw new UnsupportedQueryError(`The ${driverName} driver counts records, not a field's non-null values; count _all with where: { ${f}: { isNull: false } }.`, { info: { capability: 'countField' } });
      }
      checkCondition(op.aggregate.where, caps, driverName);
      return;
    case 'update':
    case 'delete':
      checkCondition(op.target.where, caps, driverName);
      return;
    case 'upsert':
      if (!caps.upsertOnUniqueFields && !(op.conflictFields.length === 1 && op.conflictFields[0] === 'id')) {
        throw new UnsupportedQueryError(`The ${driverName} driver can upsert only on id; look the record up by ${op.conflictFields.join(', ')} and update or create it in a transaction.`, { info: { capability: 'upsertOnUniqueFields' } });
      }
      return;
    default:
  }
}

/** The filter a caller wrote, for each capability flag (a `not` around a test is pushed down into it first). */
const WRITTEN: Record<Flag, string> = {
  or: 'or',
  ne: 'ne (or not around eq)',
  notIn: 'notIn (or not around in)',
  startsWith: 'startsWith',
  notStartsWith: 'not around startsWith',
  substring: 'contains / endsWith',
  insensitive: "mode: 'insensitive'",
  arrayContains: 'has / hasSome',
  arrayContainsAll: 'hasEvery of several values',
  notArrayContains: 'not around has / hasSome / hasEvery',
};

const HINTS: Record<Flag, string> = {
  or: 'split the query into one query per branch and merge the results',
  ne: 'use a range (lt / gt) or filter in your code',
  notIn: 'use in with the allowed values, or filter in your code',
  startsWith: 'use a range (gte prefix, lt prefix + "\\uffff")',
  notStartsWith: 'filter in your code',
  substring: 'store a searchable copy of the field (e.g. its words in an array field, filtered with has) or filter in your code',
  insensitive: 'store a lowercase copy of the field and filter on it with the lowercase value',
  arrayContains: 'filter in your code',
  arrayContainsAll: 'filter on one value with has and check the others in your code',
  notArrayContains: 'filter in your code',
};

function checkCondition(c: Condition | undefined, caps: DriverCapabilities, driverName: string): void {
  if (!c) return;
  const refuse = (flag: Flag) => {
    throw new UnsupportedQueryError(`The ${driverName} driver does not support ${WRITTEN[flag]} (capability ${flag}): ${HINTS[flag]}.`, { info: { capability: flag } });
  };
  switch (c.kind) {
    case 'and':
      for (const x of c.conditions) checkCondition(x, caps, driverName);
      return;
    case 'or':
      // An empty or is core's "matches nothing", which every driver handles.
      if (c.conditions.length > 0 && !caps.or) refuse('or');
      for (const x of c.conditions) checkCondition(x, caps, driverName);
      return;
    case 'cmp':
      if (c.op === 'ne' && !caps.ne) refuse('ne');
      return;
    case 'in':
      if (c.negate && !caps.notIn) refuse('notIn');
      if (caps.maxInList !== undefined && c.values.length > caps.maxInList) {
        throw new UnsupportedQueryError(`The ${driverName} driver takes at most ${caps.maxInList} values in an in / notIn list (got ${c.values.length}); split the query.`, { info: { capability: 'maxInList' } });
      }
      return;
    case 'startsWith':
      if (!caps.startsWith) refuse('startsWith');
      if (c.negate && !caps.notStartsWith) refuse('notStartsWith');
      return;
    case 'text':
      if (c.insensitive && !caps.insensitive) refuse('insensitive');
      if (!c.insensitive && !caps.substring) refuse('substring');
      return;
    case 'array':
      if (!caps.arrayContains) refuse('arrayContains');
      if (c.match === 'every' && !caps.arrayContainsAll) refuse('arrayContainsAll');
      if (c.negate && !caps.notArrayContains) refuse('notArrayContains');
      if (caps.maxInList !== undefined && c.values.length > caps.maxInList) {
        throw new UnsupportedQueryError(`The ${driverName} driver takes at most ${caps.maxInList} values in hasSome / hasEvery (got ${c.values.length}); split the query.`, { info: { capability: 'maxInList' } });
      }
      return;
    default:
  }
}
