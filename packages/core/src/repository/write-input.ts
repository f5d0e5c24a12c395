import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { FieldMeta } from '../schema/field-meta.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import { SEALED } from '../schema/checked-schema.js';
import type { NormalizedPatch } from '../query/condition.js';
import type { StoredRow } from '../driver/driver.js';
import { describe, isPlainObject, validateValue } from './validate-value.js';

const NUMERIC = new Set(['integer', 'number', 'bigint']);

/**
 * Turns caller input into validated rows and patches for one repository.
 * The per-field plan is computed once per repository.
 *
 * @example
 * ```ts
 * const writer = new WriteInput(users.schema);
 * const row = writer.insertRow({ name: 'Ada' }, new Date());
 * ```
 */
export class WriteInput {
  private readonly entries: ReadonlyArray<readonly [string, FieldMeta]>;
  private readonly fields: Readonly<Record<string, FieldMeta>>;

  constructor(private readonly schema: RepositorySchema) {
    this.fields = schema.fields;
    this.entries = Object.entries(schema.fields);
  }

  /** A complete row to insert: defaults, generated id, managed fields, nulls for absent optionals. Secrets still in clear (hashed later). */
  insertRow(input: unknown, now: Date, issues: ValidationIssue[] = [], prefix = ''): StoredRow {
    if (!isPlainObject(input)) {
      issues.push({ path: prefix || '(input)', message: `expected a plain object, got ${describe(input)}` });
      return {};
    }
    for (const key of Object.keys(input)) {
      const meta = this.fields[key];
      if (!meta || !Object.hasOwn(this.fields, key)) issues.push({ path: prefix + key, message: 'unknown field' });
      else if (meta.managed && meta.managed !== 'id') issues.push({ path: prefix + key, message: `is managed by chatcore (${meta.managed}) and cannot be written` });
    }
    const row: StoredRow = {};
    for (const [name, meta] of this.entries) {
      let value = Object.hasOwn(input, name) ? input[name] : undefined;
      switch (meta.managed) {
        case 'id':
          row[name] = value === undefined ? this.newId(meta) : validateValue(meta, value, prefix + name, issues);
          continue;
        case 'version':
          row[name] = 1;
          continue;
        case 'createdAt':
        case 'updatedAt':
          row[name] = new Date(now.getTime());
          continue;
      }
      if (value === undefined && meta.default !== undefined) {
        value = typeof meta.default === 'function' ? (meta.default as () => unknown)() : meta.default;
      }
      if (value === undefined || value === null) {
        if (!meta.optional) issues.push({ path: prefix + name, message: value === null ? 'cannot be null (the field is not optional)' : 'is required' });
        row[name] = null;
        continue;
      }
      row[name] = validateValue(meta, value, prefix + name, issues);
    }
    return row;
  }

  /** Validate many inputs, reporting every issue with its index. */
  insertRows(inputs: readonly unknown[], now: Date): StoredRow[] {
    if (!Array.isArray(inputs)) throw new ValidationError([{ path: '(input)', message: 'expected an array of records' }]);
    const issues: ValidationIssue[] = [];
    const rows = inputs.map((input, i) => this.insertRow(input, now, issues, `[${i}].`));
    if (issues.length) throw new ValidationError(issues);
    return rows;
  }

  /** A normalized patch, including the version increment and updatedAt. */
  patch(input: unknown, now: Date): NormalizedPatch {
    const issues: ValidationIssue[] = [];
    if (!isPlainObject(input)) throw new ValidationError([{ path: '(patch)', message: `expected a plain object, got ${describe(input)}` }]);
    const set: Record<string, unknown> = {};
    const increment: Record<string, number | bigint> = {};
    for (const key of Object.keys(input)) {
      const meta = this.fields[key];
      const value = input[key];
      if (!meta || !Object.hasOwn(this.fields, key)) {
        issues.push({ path: key, message: 'unknown field' });
        continue;
      }
      if (meta.managed) {
        issues.push({ path: key, message: meta.managed === 'id' ? 'the id cannot be changed' : `is managed by chatcore (${meta.managed}) and cannot be written` });
        continue;
      }
      if (value === undefined) continue;
      if (value === null) {
        if (!meta.optional) issues.push({ path: key, message: 'cannot be null (the field is not optional)' });
        else set[key] = null;
        continue;
      }
      // An object is an increment on a numeric field, or when it says so; elsewhere it is a value of the wrong type.
      if (isPlainObject(value) && meta.type !== 'json' && (NUMERIC.has(meta.type) || Object.hasOwn(value, 'increment'))) {
        const keys = Object.keys(value);
        if (keys.length !== 1 || keys[0] !== 'increment') {
          issues.push({ path: key, message: 'an object here must be { increment: n }' });
          continue;
        }
        // A sealed field is added to in the opened envelope, not in the database.
        if (!NUMERIC.has(meta.type) || (meta.sensitive && meta.storedAs !== SEALED)) {
          issues.push({ path: `${key}.increment`, message: 'increments apply to integer, number and bigint fields only (not encrypted ones)' });
          continue;
        }
        const by = value.increment;
        const ok = meta.type === 'bigint' ? typeof by === 'bigint' : typeof by === 'number' && Number.isFinite(by) && (meta.type !== 'integer' || Number.isSafeInteger(by));
        if (!ok) issues.push({ path: `${key}.increment`, message: `expected a ${meta.type === 'bigint' ? 'bigint' : meta.type === 'integer' ? 'safe integer' : 'finite number'}` });
        else increment[key] = by as number | bigint;
        continue;
      }
      set[key] = validateValue(meta, value, key, issues);
    }
    if (issues.length) throw new ValidationError(issues, { context: 'patch' });
    if (this.schema.versionField) increment[this.schema.versionField] = 1;
    if (this.schema.updatedAtField) set[this.schema.updatedAtField] = new Date(now.getTime());
    return { set, increment };
  }

  /** Validate an id argument (`read`: of a read, whose refusal says nothing of writes). */
  id(value: unknown, path = 'id', read = false): string {
    const issues: ValidationIssue[] = [];
    const id = validateValue(this.fields.id!, value, path, issues);
    if (issues.length) throw new ValidationError(issues, { context: 'id', read });
    return id as string;
  }

  private newId(meta: FieldMeta): string {
    const gen = meta.generate ?? 'uuidv7';
    if (gen === 'uuidv7') return uuidv7();
    if (gen === 'uuidv4') return uuidv4();
    return gen();
  }
}
