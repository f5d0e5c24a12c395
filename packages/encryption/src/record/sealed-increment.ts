import { ValidationError } from '@chatcore/core';
import { incrementIssue, type RepositorySchema } from '@chatcore/core/plugin';

/**
 * The value of a sealed numeric field after an increment, checked as the
 * database checks a plain field's (`incrementIssue`): past the declared
 * `min`/`max`, or past what the field's type holds (int32, int64, a finite
 * double), it raises ValidationError before anything is sealed or written.
 * The message leaves the value out (it is sealed). A null stays null, as
 * `col = col + n` leaves it in the database.
 *
 * @example
 * ```ts
 * logical.stars = sealedIncrement(plan.logical, 'stars', logical.stars, 1);
 * ```
 */
export function sealedIncrement(schema: RepositorySchema, field: string, current: unknown, by: number | bigint): number | bigint | null {
  if (current === null || current === undefined) return null;
  const result = typeof by === 'bigint' ? BigInt(current as bigint) + by : Number(current) + by;
  const issue = incrementIssue(schema, field, result, { conceal: true });
  if (issue) throw new ValidationError([issue], { context: 'patch' });
  return result;
}
