import type { FieldMeta, FieldType, OnDelete, SensitiveOptions } from './field-meta.js';
import { ConfigError } from '../errors.js';
import type { ColumnNameRule } from './name-rules.js';

/**
 * What a field's type allows in filters:
 * - `string`: comparisons, in/notIn, startsWith
 * - `ordered`: comparisons and in/notIn
 * - `equality`: eq/ne/in/notIn
 * - `searchable`: eq/in only (encrypted with a blind index)
 * - `none`: isNull only (json, bytes, arrays, encrypted fields)
 *
 * @example
 * ```ts
 * type EmailOps = (typeof users.fields.email)['__flags']['ops']; // 'searchable'
 * const allowsRange = (ops: OpsKind) => ops === 'string' || ops === 'ordered';
 * ```
 */
export type OpsKind = 'string' | 'ordered' | 'equality' | 'searchable' | 'array' | 'none';

/**
 * Type-level flags carried by a field builder.
 *
 * @example
 * ```ts
 * type IsSecret<Fd extends { __flags: FieldFlags }> = Fd['__flags']['secret'];
 * type PasswordIsSecret = IsSecret<typeof users.fields.password>; // true
 * ```
 */
export interface FieldFlags {
  readonly optional: boolean;
  readonly hasDefault: boolean;
  readonly managed: boolean;
  readonly secret: boolean;
  readonly ops: OpsKind;
  readonly sortable: boolean;
  readonly numeric: boolean;
  /** Set by `.sensitive()`: the value is stored encrypted (what storage types such as the SQL escape hatch's read). */
  readonly sensitive?: boolean;
  /** Set by `.column(name)`: the storage column's name, which the SQL row types use instead of the snake_case default. */
  readonly column?: string;
  /** Set by `.unique()`: the field is a unique key, which `upsert` can name in `conflict`. */
  readonly unique?: boolean;
  /** Set by `.references()`: the field holds a plain record id, so it is never sensitive or secret. */
  readonly references?: boolean;
  /** Set by `.references(repository)`: the name of the repository it points to, which the database must have. */
  readonly referencesTo?: string;
  /** Set by `f.id()`: the record id, which is never optional, defaulted, sensitive or secret. */
  readonly id?: boolean;
  /** Set by `f.text()`: long text, which cannot hold the key of a relation (`defineRelations` takes f.string() fields). */
  readonly text?: boolean;
  /** Set by `f.version()`, `createdAt()` and `updatedAt()`: the managed value the field holds, one field each per repository. */
  readonly managedAs?: 'version' | 'createdAt' | 'updatedAt';
}

/** Who may call `.optional()` and `.default()`: a field the caller writes, not the id nor a field chatcore manages. */
type Declared = { readonly __flags: { readonly managed: false; readonly id?: false } };

/** Who may call `.secret()`: a string field (f.string(), f.text()) that is not sensitive, unique or a reference. */
type SecretCapable = {
  readonly __flags: { readonly ops: 'string'; readonly sensitive?: false; readonly unique?: false; readonly references?: false };
};
/** Who may call `.unique()`: a field that is not secret (salted hashes never collide, so uniqueness could not hold). */
type UniqueCapable = { readonly __flags: { readonly secret: false } };
/** No field fits this type: its name and its one member say why, in the compiler's message. */
interface UniqueNeedsBlindIndex {
  readonly 'a unique encrypted field needs sensitive({ searchable: true }): uniqueness is kept on its blind index': never;
}
/** What `.unique()` adds for flags `F`: an encrypted field without a blind index (ops 'none') cannot be unique. */
type UniqueIfSearchable<F extends FieldFlags> = F extends { readonly sensitive: true; readonly ops: 'none' } ? UniqueNeedsBlindIndex : unknown;
/** What `.sensitive(options)` adds for flags `F`: a unique field needs `searchable: true` (a `boolean` passes). */
type SearchableIfUnique<F extends FieldFlags, O> = F extends { readonly unique: true }
  ? (true extends O['searchable' & keyof O] ? unknown : UniqueNeedsBlindIndex)
  : unknown;
/** Who may call `.sensitive()`: a field that is not secret (a hash), a reference (a plain id), the id or managed. */
type SensitiveCapable = {
  readonly __flags: { readonly secret: false; readonly references?: false; readonly managed: false; readonly id?: false };
};
/** Who may call `.references()`: a string field that is neither sensitive nor secret. */
type ReferenceCapable = { readonly __flags: { readonly ops: 'string'; readonly secret: false; readonly sensitive?: false } };

type With<F extends FieldFlags, P extends Partial<FieldFlags>> = Omit<F, keyof P> & P extends infer R extends FieldFlags
  ? { [K in keyof R]: R[K] }
  : never;

/**
 * A field declaration: a runtime `meta` plus the TypeScript value type `T` and
 * flags that drive the inferred record, insert, patch and filter types.
 * Builders are immutable: every modifier returns a new field.
 *
 * @example
 * ```ts
 * const email = f.string({ max: 320 }).unique().sensitive({ searchable: true });
 * ```
 */
export class Field<T, F extends FieldFlags> {
  /** Phantom members: they exist only for type inference. */
  declare readonly __type: T;
  declare readonly __flags: F;
  readonly meta: FieldMeta;

  constructor(meta: FieldMeta) {
    this.meta = Object.freeze({ ...meta });
  }

  private with<R extends Field<unknown, FieldFlags>>(patch: Partial<FieldMeta>): R {
    return new Field({ ...this.meta, ...patch }) as unknown as R;
  }

  /**
   * The field may be null or absent; absent values are stored as null. Not
   * on the id or a managed field (version, createdAt, updatedAt): chatcore
   * always sets those.
   */
  optional(this: Declared): Field<T, With<F, { optional: true }>> {
    return (this as unknown as Field<T, F>).with({ optional: true });
  }

  /**
   * A value (or a function making one) used when an insert omits the field.
   * Not on the id (see `f.id({ generate })`) or a managed field: chatcore
   * sets those.
   */
  default(this: Declared, value: T | (() => T)): Field<T, With<F, { hasDefault: true }>> {
    return (this as unknown as Field<T, F>).with({ default: value });
  }

  /**
   * A unique constraint on this field (enforced by the backend); an upsert
   * may key on it. Not on a secret: its salted hashes never collide, so
   * equal secrets could not be told apart. Nor on an encrypted field
   * without a blind index: random ciphertexts never collide either, so
   * declare it `sensitive({ searchable: true })`.
   */
  unique(this: UniqueCapable & UniqueIfSearchable<F>): Field<T, With<F, { unique: true }>> {
    return (this as unknown as Field<T, F>).with({ unique: true, indexed: true });
  }

  /** An index on this field, for filters and sorting. */
  indexed(): Field<T, F> {
    return this.with({ indexed: true });
  }

  /**
   * This field holds the id of a record of `repository` (a foreign key,
   * enforced on every backend, indexed). `onDelete` says what deleting that
   * record does here: `'restrict'` (default) refuses it, `'cascade'` deletes
   * this record too, `'set null'` clears the field (optional fields only:
   * call `.optional()` first). `constraint: false` declares the reference
   * without enforcing it. Only on f.string() and f.text() fields that are
   * neither sensitive nor secret: a reference holds a plain record id.
   * `repository` is the name given to defineRepository: a database whose
   * repositories lack it does not compile (ConfigError at createDatabase).
   *
   * @example
   * ```ts
   * const conversationId = f.string().references('conversations', { onDelete: 'cascade' });
   * const replyTo = f.string().optional().references('messages', { onDelete: 'set null' });
   * ```
   */
  references<const N extends string, const O extends ReferenceOptions<F['optional']> = {}>(
    this: Field<string, F> & ReferenceCapable,
    repository: N,
    options?: O,
  ): Field<T, With<F, { references: true; referencesTo: N }>> {
    const onDelete: OnDelete = options?.onDelete ?? 'restrict';
    if (onDelete !== 'restrict' && onDelete !== 'cascade' && onDelete !== 'set null') {
      throw new ConfigError(`references(${JSON.stringify(repository)}): onDelete must be 'restrict', 'cascade' or 'set null'.`);
    }
    if (onDelete === 'set null' && !this.meta.optional) {
      throw new ConfigError(`references(${JSON.stringify(repository)}, { onDelete: 'set null' }) needs an optional field: call .optional() before .references().`);
    }
    if (this.meta.type !== 'string' && this.meta.type !== 'text') {
      throw new ConfigError(`references(${JSON.stringify(repository)}) applies to f.string() fields, which hold record ids.`);
    }
    return this.with({ indexed: true, references: { repository, onDelete, constraint: options?.constraint !== false } });
  }

  /**
   * Store under another column name (SQL) instead of the snake_case default;
   * the SQL row types follow it. Letters, digits and _, starting with a
   * letter or _, at most 63 (`ColumnNameRule`): `defineRepository` refuses
   * any other name with ConfigError, whatever the backend.
   *
   * @example
   * ```ts
   * const chats = defineRepository('chats', { id: f.id(), body: f.text().column('content') });
   * ```
   */
  column<const C extends string>(name: C & ColumnNameRule<C>): Field<T, With<F, { column: C }>> {
    return this.with({ column: name });
  }

  /**
   * Personal or confidential data: encrypted by the encryption plugin before it
   * leaves the process. With `searchable: true`, equality and `in` lookups work
   * through a blind index; no other operator or sort applies to it. Not on
   * a secret (it is hashed), a reference (it holds a plain record id), the
   * id or a managed field (version, createdAt, updatedAt). A unique field
   * needs `searchable: true`: its uniqueness is kept on the blind index.
   */
  sensitive<const O extends SensitiveOptions = {}>(
    this: SensitiveCapable & SearchableIfUnique<F, O>,
    options?: O,
  ): Field<T, With<F, { ops: O extends { searchable: true } ? 'searchable' : 'none'; sortable: false; sensitive: true }>> {
    return (this as unknown as Field<T, F>).with({ sensitive: { searchable: false, ...options } });
  }

  /**
   * A secret (password, token): hashed before storage, never returned by
   * reads, checked with `verifySecret`. Not filterable, not sortable. Only
   * on f.string() and f.text() fields that are neither sensitive (a hash
   * needs no encryption), unique (salted hashes never collide) nor a
   * reference (it holds a plain record id).
   */
  secret(this: SecretCapable): Field<T, With<F, { secret: true; ops: 'none'; sortable: false }>> {
    return (this as unknown as Field<T, F>).with({ secret: true });
  }
}

/**
 * Options of `.references()`. `'set null'` is only offered on optional fields
 * (`Optional` is the field's optional flag), so it does not compile on a
 * required one.
 *
 * @example
 * ```ts
 * const cascade: ReferenceOptions<false> = { onDelete: 'cascade' };
 * const clear: ReferenceOptions<true> = { onDelete: 'set null' };
 * const declaredOnly: ReferenceOptions<false> = { constraint: false };
 * ```
 */
export interface ReferenceOptions<Optional extends boolean = boolean> {
  readonly onDelete?: Optional extends true ? OnDelete : Exclude<OnDelete, 'set null'>;
  /** Default true: enforce the reference (SQL: a FOREIGN KEY constraint). */
  readonly constraint?: boolean;
}

/**
 * Any field, whatever its type and flags.
 *
 * @example
 * ```ts
 * const describeField = (field: AnyField) => `${field.meta.type}${field.meta.optional ? '?' : ''}`;
 * describeField(users.fields.name); // 'string'
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyField = Field<any, FieldFlags>;

/**
 * Flags of a fresh, required, user-written field.
 *
 * @example
 * ```ts
 * const slug: Field<string, BaseFlags<'string', true>> = f.string({ max: 80 });
 * ```
 */
export type BaseFlags<Ops extends OpsKind, Sortable extends boolean, Numeric extends boolean = false> = {
  readonly optional: false;
  readonly hasDefault: false;
  readonly managed: false;
  readonly secret: false;
  readonly ops: Ops;
  readonly sortable: Sortable;
  readonly numeric: Numeric;
};

/** Who may become createdAt or updatedAt: a required timestamp (chatcore always sets it). */
type RequiredTimestamp = { readonly __flags: { readonly optional: false } };

/**
 * A timestamp field, which can also be declared as managed createdAt/updatedAt.
 *
 * @example
 * ```ts
 * const at: TimestampField<BaseFlags<'ordered', true>> = f.timestamp();
 * const fields = { sentAt: at.indexed(), createdAt: at.createdAt(), updatedAt: at.updatedAt() };
 * ```
 */
export class TimestampField<F extends FieldFlags> extends Field<Date, F> {
  /** Set by chatcore when the record is created; read-only afterwards. Never null, so not after `.optional()`. */
  createdAt(this: RequiredTimestamp): Field<Date, With<F, { managed: true; managedAs: 'createdAt' }>> {
    return new Field({ ...(this as unknown as Field<Date, F>).meta, managed: 'createdAt' }) as never;
  }
  /** Set by chatcore on every create and update; read-only for callers. Never null, so not after `.optional()`. */
  updatedAt(this: RequiredTimestamp): Field<Date, With<F, { managed: true; managedAs: 'updatedAt' }>> {
    return new Field({ ...(this as unknown as Field<Date, F>).meta, managed: 'updatedAt' }) as never;
  }
  override optional(): TimestampField<With<F, { optional: true }>> {
    return new TimestampField({ ...this.meta, optional: true });
  }
  override indexed(): TimestampField<F> {
    return new TimestampField({ ...this.meta, indexed: true });
  }
}

/** Build the runtime metadata of a new field. */
export function baseMeta(type: FieldType, extra: Partial<FieldMeta> = {}): FieldMeta {
  return { type, optional: false, unique: false, indexed: false, secret: false, ...extra };
}
