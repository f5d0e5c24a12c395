import { ConfigError } from '../errors.js';
import type { AnyField, Field } from './field.js';
import type { FieldMeta } from './field-meta.js';
import type { RepositorySchema, IndexSchema } from './repository-schema.js';
import type { FieldRoleRules, UniqueKeyRules } from './field-roles.js';
import type { FieldKeyRules, RepositoryNameRule, TableNameRule } from './name-rules.js';
import { toSnakeCase } from '../util/naming.js';
import { checkIdentifier } from './identifiers.js';
import { declarationProblem } from './field-declaration.js';

/**
 * The field declarations of a repository; `id` is required.
 *
 * @example
 * ```ts
 * const noteFields = { id: f.id(), title: f.string({ max: 200 }), body: f.text() } satisfies FieldsShape;
 * const notes = defineRepository('notes', noteFields);
 * ```
 */
export type FieldsShape = { readonly id: Field<string, any> } & { readonly [name: string]: AnyField };

/**
 * What `defineRepository` checks of its field names in the types: `id` is
 * an `f.id()` field, and no field is named `and`, `or` or `not` (those
 * combine conditions in a filter). Both are ConfigErrors at run time too.
 *
 * @example
 * ```ts
 * const fields = { id: f.id(), title: f.string() };
 * const checked: typeof fields & FieldNameRules = fields;
 * ```
 */
export interface FieldNameRules {
  readonly id: { readonly __flags: { readonly id: true } };
  readonly and?: ReservedFieldName;
  readonly or?: ReservedFieldName;
  readonly not?: ReservedFieldName;
}

/** No field fits this type: its one member says why, in the compiler's message. */
interface ReservedFieldName {
  readonly 'and, or and not combine filter conditions: rename the field': never;
}

/**
 * Options of a repository beyond its fields.
 *
 * @example
 * ```ts
 * const fields = { id: f.id(), conversationId: f.string(), sentAt: f.timestamp() };
 * const options: RepositoryOptions<typeof fields> = { table: 'chat_messages', indexes: [['conversationId', 'sentAt']] };
 * const messages = defineRepository('messages', fields, options);
 * ```
 */
export interface RepositoryOptions<F extends FieldsShape = FieldsShape> {
  /**
   * Table / collection name; default: the snake_case of the repository name.
   * Letters, digits and _, starting with a letter or _, at most 63, and not
   * `__name__` (`TableNameRule`: an invalid literal does not compile, and
   * any other invalid name is a ConfigError).
   */
  readonly table?: string;
  /** Composite indexes, each a list of fields in order. */
  readonly indexes?: ReadonlyArray<ReadonlyArray<Extract<keyof F, string>>>;
  /** Composite unique constraints. */
  readonly unique?: ReadonlyArray<ReadonlyArray<Extract<keyof F, string>>>;
  /** Settings read by plugins, keyed by plugin name (e.g. `{ encryption: { seal: true } }`). */
  readonly plugins?: Readonly<Record<string, unknown>>;
}

/**
 * A declared repository: its name, typed fields and the runtime schema that
 * drivers and plugins read.
 *
 * @example
 * ```ts
 * const users = defineRepository('users', { id: f.id(), name: f.string() });
 * type User = RecordOf<typeof users>;
 * ```
 */
export interface RepositoryDef<N extends string = string, F extends FieldsShape = FieldsShape, U extends UniqueKeyList<F> = readonly []> {
  readonly name: N;
  readonly fields: F;
  readonly schema: RepositorySchema;
  /** Type only (never set): the composite unique constraints of the options, which `upsert` can name in `conflict`. */
  readonly __unique?: U;
}

/**
 * The composite unique constraints of a repository, each a list of its fields.
 *
 * @example
 * ```ts
 * const fields = { id: f.id(), tenant: f.string(), slug: f.string() };
 * const keys: UniqueKeyList<typeof fields> = [['tenant', 'slug']];
 * const pages = defineRepository('pages', fields, { unique: keys });
 * ```
 */
export type UniqueKeyList<F> = ReadonlyArray<ReadonlyArray<Extract<keyof F, string>>>;

/**
 * Any repository definition.
 *
 * @example
 * ```ts
 * const tableOf = (def: AnyRepositoryDef) => def.schema.table;
 * tableOf(users); // 'users'
 * ```
 */
export type AnyRepositoryDef = RepositoryDef<string, any, any>;

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const RESERVED_FIELDS = new Set(['__proto__', 'constructor', 'prototype', 'and', 'or', 'not']);

/**
 * Whether `name` can name a property of a record: a field, or a relation
 * read with include (letters, digits and _, starting with a letter, at most
 * 63, and not a reserved word such as `__proto__` or `constructor`).
 *
 * @example
 * ```ts
 * isPropertyName('conversationId'); // true
 * isPropertyName('__proto__'); // false
 * ```
 */
export function isPropertyName(name: string): boolean {
  return NAME_RE.test(name) && !RESERVED_FIELDS.has(name);
}

/**
 * Declare a repository once: the result carries the static types (see
 * `RecordOf`, `InsertOf`, `PatchOf`, `FilterOf`) and the runtime schema.
 * The name is letters, digits and _ (at most 63), starting with a letter
 * (see `RepositoryNameRule`). The `id` field must be `f.id()` and no other
 * field can be; a field name is letters, digits and _ (at most 63),
 * starting with a letter, and not `and`, `or`, `not`, `constructor` or
 * `prototype` (see `FieldNameRules`, `FieldKeyRules` and `FieldRoleRules`).
 *
 * @example
 * ```ts
 * const users = defineRepository('users', {
 *   id: f.id(),
 *   name: f.string({ max: 200 }),
 *   email: f.string().unique().sensitive({ searchable: true }),
 *   password: f.string().secret(),
 *   createdAt: f.timestamp().createdAt(),
 *   version: f.version(),
 * });
 * ```
 */
export function defineRepository<const N extends string, const F extends FieldsShape, const U extends UniqueKeyList<F> = readonly [], const T extends string = string>(
  name: N & RepositoryNameRule<N>,
  fields: F & FieldNameRules & FieldRoleRules<F> & FieldKeyRules<F>,
  options: RepositoryOptions<F> & { readonly unique?: U & UniqueKeyRules<F, U>; readonly table?: T & TableNameRule<T> } = {},
): RepositoryDef<N, F, U> {
  if (!NAME_RE.test(name)) {
    throw new ConfigError(`Repository name ${JSON.stringify(name)} is invalid: use letters, digits and _ (max 63), starting with a letter.`);
  }
  const metas: Record<string, FieldMeta> = Object.create(null);
  let versionField: string | undefined;
  let createdAtField: string | undefined;
  let updatedAtField: string | undefined;
  for (const [fieldName, field] of Object.entries(fields)) {
    if (!isPropertyName(fieldName)) {
      throw new ConfigError(`Field name ${JSON.stringify(fieldName)} in ${name} is invalid: use letters, digits and _, starting with a letter (and not a reserved word).`);
    }
    const meta = field.meta;
    if (meta.type === 'id' && fieldName !== 'id') throw new ConfigError(`Only the field named "id" can be f.id() (found on ${name}.${fieldName}).`);
    if (meta.managed === 'version') versionField = only(versionField, fieldName, name, 'version');
    if (meta.managed === 'createdAt') createdAtField = only(createdAtField, fieldName, name, 'createdAt');
    if (meta.managed === 'updatedAt') updatedAtField = only(updatedAtField, fieldName, name, 'updatedAt');
    const chosen = meta.managed ? chosenByCaller(meta) : undefined;
    if (chosen) {
      throw new ConfigError(`${name}.${fieldName} is ${MANAGED_LABEL[meta.managed!]}, which chatcore sets, so it cannot be ${chosen}.`);
    }
    if (meta.secret && meta.sensitive) throw new ConfigError(`${name}.${fieldName} is both secret() and sensitive(): a secret is hashed, choose one.`);
    if (meta.secret && meta.type !== 'string' && meta.type !== 'text') throw new ConfigError(`${name}.${fieldName}: secret() applies to string fields only.`);
    if (meta.secret && meta.unique) {
      throw new ConfigError(`${name}.${fieldName} is secret() and unique(): a secret is stored as a salted hash, which never equals another, so uniqueness cannot be enforced; drop unique().`);
    }
    if (meta.unique && meta.sensitive && !meta.sensitive.searchable) {
      throw new ConfigError(`${name}.${fieldName} is unique() and sensitive() without a blind index: random ciphertexts never collide, so uniqueness cannot be enforced; declare it sensitive({ searchable: true }).`);
    }
    if (meta.references && (meta.sensitive || meta.secret)) {
      throw new ConfigError(`${name}.${fieldName} references ${meta.references.repository} and is ${meta.secret ? 'secret()' : 'sensitive()'}: a reference holds a plain record id, so drop one of the two.`);
    }
    const problem = declarationProblem(`${name}.${fieldName}`, meta);
    if (problem) throw new ConfigError(problem);
    const column = checkIdentifier(meta.column ?? toSnakeCase(fieldName), `column of ${name}.${fieldName}`);
    metas[fieldName] = Object.freeze({ ...meta, column });
  }
  if (!metas.id || metas.id.type !== 'id') throw new ConfigError(`Repository ${name} needs an id field: add \`id: f.id()\`.`);
  const known = (list: readonly string[], what: string) => {
    for (const fld of list) if (!(fld in metas)) throw new ConfigError(`${name}: ${what} names unknown field ${JSON.stringify(fld)}.`);
  };
  const indexes: IndexSchema[] = [];
  for (const [fieldName, meta] of Object.entries(metas)) {
    if (fieldName === 'id') continue;
    if (meta.unique) indexes.push({ name: `${name}_${meta.column}_key`, fields: [fieldName], unique: true });
    else if (meta.indexed) indexes.push({ name: `${name}_${meta.column}_idx`, fields: [fieldName], unique: false });
  }
  for (const list of options.indexes ?? []) {
    known(list, 'an index');
    indexes.push({ name: `${name}_${list.map((x) => metas[x]!.column).join('_')}_idx`, fields: [...list], unique: false });
  }
  for (const list of options.unique ?? []) {
    known(list, 'a unique constraint');
    const hashed = list.find((x) => metas[x]!.secret);
    if (hashed) {
      throw new ConfigError(`${name}: the unique constraint (${list.join(', ')}) includes ${hashed}, which is secret(): a secret is stored as a salted hash, which never equals another, so uniqueness cannot be enforced; drop ${hashed} from the constraint.`);
    }
    const encrypted = list.find((x) => metas[x]!.sensitive && !metas[x]!.sensitive!.searchable);
    if (encrypted) {
      throw new ConfigError(`${name}: the unique constraint (${list.join(', ')}) includes ${encrypted}, which is sensitive() without a blind index: random ciphertexts never collide, so uniqueness cannot be enforced; declare it sensitive({ searchable: true }).`);
    }
    indexes.push({ name: `${name}_${list.map((x) => metas[x]!.column).join('_')}_key`, fields: [...list], unique: true });
  }
  const table = checkIdentifier(options.table ?? toSnakeCase(name), `table of repository ${name}`);
  if (/^__.*__$/.test(table)) throw new ConfigError(`The table of repository ${name} name ${JSON.stringify(table)} is reserved (Firestore keeps __name__ for itself): choose another.`);
  const schema: RepositorySchema = Object.freeze({
    name,
    table,
    fields: Object.freeze(metas),
    versionField,
    createdAtField,
    updatedAtField,
    indexes: Object.freeze(indexes),
    plugins: Object.freeze({ ...(options.plugins ?? {}) }),
  });
  return Object.freeze({ name, fields, schema });
}

const MANAGED_LABEL = { id: 'the record id', version: 'f.version()', createdAt: 'createdAt()', updatedAt: 'updatedAt()' } as const;

/** The first modifier set on an id or managed field that only a field the caller writes can have. */
function chosenByCaller(meta: FieldMeta): string | undefined {
  if (meta.optional) return 'optional()';
  if (meta.default !== undefined) return 'given a default()';
  if (meta.sensitive) return 'sensitive()';
  if (meta.secret) return 'secret()';
  return undefined;
}

function only(current: string | undefined, next: string, repo: string, what: string): string {
  if (current) throw new ConfigError(`Repository ${repo} declares two ${what} fields (${current}, ${next}); keep one.`);
  return next;
}
