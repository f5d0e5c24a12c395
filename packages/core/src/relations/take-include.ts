import { ValidationError, type ValidationIssue } from '../errors.js';
import { isPlainObject } from '../repository/validate-value.js';
import { attachIncludes, checkInclude, keyFields, type CheckedInclude, type IncludeHost } from './load-includes.js';

type Row = Record<string, unknown>;

/**
 * A read's `include`, split off its query (or get options): the rest goes
 * to the repository as before, with a narrow select widened by the key
 * fields the relations read (`added`, dropped again after loading).
 */
export interface TakenInclude {
  readonly rest: unknown;
  readonly include?: CheckedInclude | undefined;
  readonly added: readonly string[];
}

const NONE: readonly string[] = [];

/**
 * Split and check `include` (every level, before anything is read). A
 * query without one is returned as it is, at the cost of one property test.
 * Given `issues`, problems are added there (to be thrown with those of the
 * rest of the query) instead of thrown, and no include is returned.
 *
 * @example
 * ```ts
 * const taken = takeInclude(host, 'conversations', { where: { status: 'open' }, include: { messages: true } });
 * ```
 */
export function takeInclude<S>(host: IncludeHost<S> | undefined, schemaName: string, input: unknown, issues?: ValidationIssue[]): TakenInclude {
  if (!isPlainObject(input) || input.include === undefined) return { rest: input, added: NONE };
  const { include, ...rest } = input;
  if (!host) {
    const issue = { path: 'include', message: `${schemaName} has no relations: declare them with defineRelations and pass relations to createDatabase` };
    if (!issues) throw new ValidationError([issue], { context: 'include' });
    issues.push(issue);
    return { rest, added: NONE };
  }
  const before = issues?.length ?? 0;
  const checked = checkInclude(host, schemaName, include, 'include', issues);
  if (issues && issues.length > before) return { rest, added: NONE };
  if (!Array.isArray(rest.select)) return { rest, include: checked, added: NONE };
  const select = rest.select as unknown[];
  const added = keyFields(checked).filter((f) => f !== 'id' && !select.includes(f));
  return { rest: added.length ? { ...rest, select: [...select, ...added] } : rest, include: checked, added };
}

/**
 * Load the included relations onto `rows` and drop the widened key fields.
 *
 * @example
 * ```ts
 * return attachTaken(host, scope, rows, taken, options);
 * ```
 */
export async function attachTaken<S>(host: IncludeHost<S>, scope: S, rows: Row[], taken: TakenInclude, options: object | undefined): Promise<Row[]> {
  if (!taken.include) return rows;
  await attachIncludes(host, scope, rows, taken.include, options);
  if (taken.added.length) for (const r of rows) for (const f of taken.added) delete r[f];
  return rows;
}
