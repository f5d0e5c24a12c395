/**
 * The storage kind of a field; drivers map each to a native type.
 *
 * @example
 * ```ts
 * const type: FieldType = messages.fields.body.meta.type; // 'text'
 * ```
 */
export type FieldType =
  | 'id'
  | 'string'
  | 'text'
  | 'integer'
  | 'bigint'
  | 'number'
  | 'boolean'
  | 'timestamp'
  | 'enum'
  | 'bytes'
  | 'json'
  | 'array'
  | 'version';

/**
 * Normalisation applied to a searchable sensitive value before its blind index is computed.
 *
 * @example
 * ```ts
 * const normalize: SearchNormalization = { caseFold: true, trim: true };
 * const email = f.string().unique().sensitive({ searchable: true, normalize });
 * ```
 */
export interface SearchNormalization {
  readonly caseFold?: boolean;
  readonly trim?: boolean;
}

/**
 * Options of `.sensitive()`: whether equality lookups are possible through a blind index.
 *
 * @example
 * ```ts
 * const lookup = { searchable: true, normalize: { caseFold: true } } as const satisfies SensitiveOptions;
 * const email = f.string().unique().sensitive(lookup); // eq and in work through the blind index
 * ```
 */
export interface SensitiveOptions {
  readonly searchable?: boolean;
  readonly normalize?: SearchNormalization;
}

/**
 * What deleting a referenced record does to the records that reference it:
 * `'restrict'` refuses the delete (ForeignKeyError), `'cascade'` deletes them
 * too, `'set null'` clears the reference (optional fields only).
 *
 * @example
 * ```ts
 * const onDelete: OnDelete = 'cascade';
 * const conversationId = f.string().references('conversations', { onDelete });
 * ```
 */
export type OnDelete = 'restrict' | 'cascade' | 'set null';

/**
 * A field's reference to another repository's id (a foreign key).
 *
 * @example
 * ```ts
 * const ref: ReferenceMeta | undefined = messages.schema.fields.conversationId!.references;
 * // { repository: 'conversations', onDelete: 'cascade', constraint: true }
 * ```
 */
export interface ReferenceMeta {
  /** The referenced repository's name (as given to defineRepository). */
  readonly repository: string;
  readonly onDelete: OnDelete;
  /** Whether the reference is enforced (SQL: a FOREIGN KEY constraint). `false`: declared only. */
  readonly constraint: boolean;
}

/**
 * Runtime metadata of one field. Drivers and plugins read it; users build it
 * with the `f` builders.
 *
 * @example
 * ```ts
 * const meta: FieldMeta = users.schema.fields.email!; // { type: 'string', unique: true, optional: true, column: 'email', ... }
 * ```
 */
export interface FieldMeta {
  readonly type: FieldType;
  /** Storage column name (SQL); defaults to the snake_case of the field name. */
  readonly column?: string | undefined;
  readonly optional: boolean;
  readonly default?: unknown;
  readonly unique: boolean;
  readonly indexed: boolean;
  readonly sensitive?: SensitiveOptions | undefined;
  readonly secret: boolean;
  readonly managed?: 'id' | 'createdAt' | 'updatedAt' | 'version' | undefined;
  /** string/text: length bounds; integer/number/bigint: value bounds. */
  readonly min?: number | bigint | undefined;
  readonly max?: number | bigint | undefined;
  readonly pattern?: RegExp | undefined;
  /** enum: the allowed values. */
  readonly values?: readonly string[] | undefined;
  /** array: the element field. */
  readonly items?: FieldMeta | undefined;
  /** id: how new ids are made. */
  readonly generate?: 'uuidv7' | 'uuidv4' | (() => string) | undefined;
  /**
   * Set by plugins that change how a field is stored (e.g. 'ciphertext'). In
   * a repository's checked schema, `'sealed'` marks a logical field that a
   * storage field `holds` (it has no storage field of its own).
   */
  readonly storedAs?: string | undefined;
  /**
   * Set by a plugin on a storage field that keeps logical fields inside it
   * (the encryption plugin's sealed envelope): each field it holds, and
   * whether a blind index makes it `searchable`. Core validates queries on
   * those fields as on `.sensitive()` fields, and refuses every test on one
   * that is not searchable (only the plugin can open the envelope).
   */
  readonly holds?: Readonly<Record<string, SensitiveOptions>> | undefined;
  /**
   * Set by a plugin on a storage field whose values it computes from another
   * field's (the encryption plugin's blind index, from its encrypted field):
   * the name of that field, a storage field or one that a storage field
   * `holds`. Added alone to a table whose rows have values of that field, it
   * would be empty on them, so a driver refuses to add it there
   * (SchemaDriftError) and leaves it to a migration that backfills it.
   */
  readonly derivedFrom?: string | undefined;
  /** Set by `.references()`: this field holds the id of a record of another repository. */
  readonly references?: ReferenceMeta | undefined;
  /** Free-form annotations for plugins (e.g. the blind index a column serves). */
  readonly annotations?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Field types that can be compared with gt/gte/lt/lte and used as sort keys.
 *
 * @example
 * ```ts
 * ORDERED_TYPES.has('timestamp'); // true
 * ORDERED_TYPES.has('json');      // false: no gt/lt, not a sort key
 * ```
 */
export const ORDERED_TYPES: ReadonlySet<FieldType> = new Set([
  'id', 'string', 'text', 'integer', 'bigint', 'number', 'timestamp', 'enum', 'boolean', 'version',
]);
