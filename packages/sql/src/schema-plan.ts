import { createHash } from 'node:crypto';
import { sql, type AliasedRawBuilder } from 'kysely';
import type { FieldMeta, IndexSchema, RepositorySchema } from '@chatcore/core/driver';
import { ConfigError } from '@chatcore/core';
import { checkIdentifier, MAX_IDENTIFIER_LENGTH } from './identifiers.js';
import { decoderOf, encoderOf, sqlTypeOf } from './column-types.js';
import { ShapeCache, type StatementShape } from './statement-shape.js';
import { foreignKeysOf, type ForeignKeyPlan } from './foreign-keys.js';

type Codec = (value: unknown) => unknown;

/**
 * One field as SQL sees it: checked column name, SQL type, and the value
 * codecs, all computed once per storage schema.
 *
 * @example
 * ```ts
 * const f = plan.field('createdAt'); f.column; // 'created_at'; f.sqlType; // 'timestamptz'
 * ```
 */
export interface FieldPlan {
  readonly name: string;
  readonly column: string;
  readonly meta: FieldMeta;
  readonly sqlType: string;
  /** Element type for `= ANY($n::type[])`. */
  readonly scalarType: string;
  /** Whether the column can hold NULL (nullable columns get NULLS FIRST/LAST). */
  readonly nullable: boolean;
  readonly encode: Codec | undefined;
  readonly decode: Codec | undefined;
}

/**
 * An index as created in SQL: a table-scoped name (index names are per database schema).
 *
 * @example
 * ```ts
 * for (const idx of plan.indexes) console.log(idx.sqlName, idx.fields, idx.unique);
 * ```
 */
export interface IndexPlan {
  readonly sqlName: string;
  readonly fields: readonly string[];
  readonly unique: boolean;
}

/**
 * Everything the SQL driver derives from a storage schema, computed once:
 * identifiers checked, select lists with field-name aliases, codecs, index
 * names, and the cache of compiled statement shapes.
 *
 * @example
 * ```ts
 * const plan = planOf(schema); plan.field('createdAt').column; // 'created_at'
 * ```
 */
export class SchemaPlan {
  readonly table: string;
  readonly fields: readonly FieldPlan[];
  readonly byName: ReadonlyMap<string, FieldPlan>;
  readonly indexes: readonly IndexPlan[];
  /** FOREIGN KEY constraints of the `.references()` fields (enforced ones). */
  readonly foreignKeys: readonly ForeignKeyPlan[];
  /** Constraint / index name -> the fields it covers, to name them in UniqueViolationError. */
  readonly constraintFields: ReadonlyMap<string, readonly string[]>;
  /** Fields whose client values need decoding, as [name, decode] pairs. */
  readonly decoders: ReadonlyArray<readonly [string, Codec]>;
  /** Whether bulk inserts can use `unnest` (no array columns: unnest would flatten them). */
  readonly canUnnest: boolean;
  readonly shapes = new ShapeCache();
  private readonly selections = new Map<string, AliasedRawBuilder<unknown, string>[]>();

  constructor(readonly schema: RepositorySchema) {
    this.table = checkIdentifier(schema.table, `table of repository ${schema.name}`);
    const fields: FieldPlan[] = [];
    for (const [name, meta] of Object.entries(schema.fields)) {
      checkIdentifier(name, `field ${schema.name}.${name}`);
      const column = checkIdentifier(meta.column ?? name, `column of ${schema.name}.${name}`);
      const sqlType = sqlTypeOf(meta);
      fields.push({
        name, column, meta, sqlType,
        scalarType: sqlType.endsWith('[]') ? sqlType.slice(0, -2) : sqlType,
        nullable: meta.optional,
        encode: encoderOf(meta),
        decode: decoderOf(meta, `${schema.name}.${name}`),
      });
    }
    if (!fields.some((f) => f.name === 'id')) throw new ConfigError(`Repository ${schema.name} has no id field.`);
    const seen = new Map<string, string>();
    for (const f of fields) {
      const other = seen.get(f.column);
      if (other) throw new ConfigError(`${schema.name}.${other} and ${schema.name}.${f.name} both map to column ${f.column}: give one of them another column() name.`);
      seen.set(f.column, f.name);
    }
    this.fields = fields;
    this.byName = new Map(fields.map((f) => [f.name, f]));
    this.decoders = fields.filter((f) => f.decode).map((f) => [f.name, f.decode!] as const);
    this.canUnnest = !fields.some((f) => f.sqlType.endsWith('[]'));
    this.indexes = schema.indexes.map((idx) => this.planIndex(idx));
    this.foreignKeys = foreignKeysOf(schema.name, this.table, fields);
    const constraintFields = new Map<string, readonly string[]>([[`${this.table}_pkey`, ['id']]]);
    for (const idx of this.indexes) if (idx.unique) constraintFields.set(idx.sqlName, idx.fields);
    this.constraintFields = constraintFields;
    for (const [name, covered] of constraintFields) uniqueConstraints.set(name, { repository: schema.name, fields: covered });
  }

  /** The plan of a field; a name not in the schema is an internal error (callers validated it). */
  field(name: string): FieldPlan {
    const f = this.byName.get(name);
    if (!f) throw new ConfigError(`Field ${JSON.stringify(name)} is not part of repository ${this.schema.name}.`);
    return f;
  }

  /** `"column" AS "field"` for the given fields (all when undefined), cached per list. */
  selection(select: readonly string[] | undefined): AliasedRawBuilder<unknown, string>[] {
    const key = select ? select.join(',') : '*';
    let list = this.selections.get(key);
    if (!list) {
      const fields = select ? select.map((n) => this.field(n)) : this.fields;
      list = fields.map((f) => sql.ref(f.column).as(f.name));
      this.selections.set(key, list);
    }
    return list;
  }

  /** Decode a client's rows in place into field values of the storage types. */
  decodeRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
    const decoders = this.decoders;
    if (decoders.length === 0) return rows;
    for (const row of rows) {
      for (const [name, decode] of decoders) {
        const v = row[name];
        if (v !== null && v !== undefined) row[name] = decode(v);
      }
    }
    return rows;
  }

  /** A statement shape from the cache, compiled by `build` on first use. */
  shape(key: string, build: () => StatementShape): StatementShape {
    return this.shapes.get(key) ?? this.shapes.set(key, build());
  }

  private planIndex(idx: IndexSchema): IndexPlan {
    for (const f of idx.fields) this.field(f);
    // Core names indexes after the repository; SQL index names are global to
    // the database schema, so scope them by table instead.
    const suffix = idx.name.startsWith(`${this.schema.name}_`) ? idx.name.slice(this.schema.name.length + 1) : idx.name;
    let sqlName = `${this.table}_${suffix}`;
    if (sqlName.length > MAX_IDENTIFIER_LENGTH || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(sqlName)) {
      const hash = createHash('sha1').update(`${this.table}|${idx.fields.join(',')}|${idx.unique}`).digest('hex').slice(0, 10);
      sqlName = `${this.table.slice(0, MAX_IDENTIFIER_LENGTH - 16)}_${hash}_${idx.unique ? 'key' : 'idx'}`;
    }
    return { sqlName, fields: idx.fields, unique: idx.unique };
  }
}

const plans = new WeakMap<RepositorySchema, SchemaPlan>();

/** Unique constraint / index name -> the repository and fields it covers (filled as plans are built). */
const uniqueConstraints = new Map<string, { readonly repository: string; readonly fields: readonly string[] }>();

/**
 * The repository and fields a unique constraint or index covers, by its
 * name, for a violation raised without a plan (the Kysely escape hatch);
 * undefined for one chatcore did not declare.
 *
 * @example
 * ```ts
 * uniqueOfConstraint('users_pkey'); // { repository: 'users', fields: ['id'] }
 * ```
 */
export function uniqueOfConstraint(name: unknown): { readonly repository: string; readonly fields: readonly string[] } | undefined {
  return typeof name === 'string' ? uniqueConstraints.get(name) : undefined;
}

/**
 * The plan of a storage schema, built on first use and kept as long as the
 * schema object lives.
 *
 * @example
 * ```ts
 * const plan = planOf(schema);
 * ```
 */
export function planOf(schema: RepositorySchema): SchemaPlan {
  let plan = plans.get(schema);
  if (!plan) {
    plan = new SchemaPlan(schema);
    plans.set(schema, plan);
  }
  return plan;
}
