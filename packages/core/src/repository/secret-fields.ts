import { ValidationError } from '../errors.js';
import type { StoredRow } from '../driver/driver.js';
import type { NormalizedPatch } from '../query/condition.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import { hashSecret } from '../secret/secret-hash.js';
import { MALFORMED_STRING, isWellFormed } from '../util/well-formed.js';

/**
 * The secret() fields of one repository: the checks of a verifySecret call
 * and the hashing of written values, each hash bound to its record
 * (repository, field, id).
 */
export class SecretFields {
  readonly names: readonly string[];
  readonly #repository: string;

  constructor(schema: RepositorySchema) {
    this.#repository = schema.name;
    this.names = Object.entries(schema.fields).filter(([, m]) => m.secret).map(([f]) => f);
  }

  /** Refuse a verifySecret call on a field that is not secret(), or with a candidate that is not a well-formed string. */
  checkCandidate(field: string, candidate: unknown): void {
    if (!this.names.includes(field)) throw new ValidationError([{ path: 'field', message: `${this.#repository}.${String(field)} is not a secret() field` }]);
    if (typeof candidate !== 'string') throw new ValidationError([{ path: 'candidate', message: 'expected a string' }]);
    // UTF-8 encoding would turn a lone surrogate into U+FFFD, so it could match a stored value that holds one.
    if (!isWellFormed(candidate)) throw new ValidationError([{ path: 'candidate', message: `the candidate is ${MALFORMED_STRING}` }]);
  }

  /** Hash the secrets of a new record, each bound to it. */
  async hashRow(row: StoredRow): Promise<void> {
    for (const s of this.names) if (typeof row[s] === 'string') row[s] = await hashSecret(row[s] as string, { repository: this.#repository, field: s, id: row.id as string });
  }

  /** Hash the secrets a patch sets, bound to record `id`; a patch of records not known by id cannot set one. */
  async hashPatch(patch: NormalizedPatch, id: string | undefined): Promise<void> {
    const set = patch.set as Record<string, unknown>;
    for (const s of this.names) {
      if (typeof set[s] !== 'string') continue;
      if (id === undefined) {
        throw new ValidationError([{ path: s, message: `${this.#repository}.${s} is a secret() field, whose hash is bound to its record: set it with update(id, ...) (or upsert with conflict on id)` }]);
      }
      set[s] = await hashSecret(set[s] as string, { repository: this.#repository, field: s, id });
    }
  }
}
