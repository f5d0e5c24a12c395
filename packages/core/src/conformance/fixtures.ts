import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';

/**
 * Nested JSON stored in the `doc` field.
 *
 * @example
 * ```ts
 * const doc: DocShape = { title: 't', nested: { list: [1, 'two', null] } };
 * ```
 */
export interface DocShape {
  readonly title?: string;
  readonly nested?: { readonly list: ReadonlyArray<number | string | boolean | null> };
  readonly [key: string]: unknown;
}

/**
 * A repository with one field of every type, each also optional.
 *
 * @example
 * ```ts
 * const repo = allTypesRepository(h.table('types'));
 * ```
 */
export function allTypesRepository(table: string) {
  return defineRepository('allTypes', {
    id: f.id(),
    str: f.string(),
    txt: f.text(),
    int: f.integer(),
    big: f.bigint(),
    num: f.number(),
    bool: f.boolean(),
    at: f.timestamp(),
    kind: f.enum(['alpha', 'beta', 'gamma']),
    blob: f.bytes(),
    doc: f.json<DocShape>(),
    tags: f.array(f.string()),
    ints: f.array(f.integer()),
    optStr: f.string().optional(),
    optTxt: f.text().optional(),
    optInt: f.integer().optional(),
    optBig: f.bigint().optional(),
    optNum: f.number().optional(),
    optBool: f.boolean().optional(),
    optAt: f.timestamp().optional(),
    optKind: f.enum(['alpha', 'beta', 'gamma']).optional(),
    optBlob: f.bytes().optional(),
    optDoc: f.json<DocShape>().optional(),
    optTags: f.array(f.string()).optional(),
    optTimes: f.array(f.timestamp()).optional(),
    createdAt: f.timestamp().createdAt(),
    updatedAt: f.timestamp().updatedAt(),
    version: f.version(),
  }, { table });
}

/**
 * The workhorse of the query tests: sortable optional fields of each ordered type.
 *
 * @example
 * ```ts
 * const repo = itemsRepository(h.table('filters'));
 * ```
 */
export function itemsRepository(table: string) {
  return defineRepository('items', {
    id: f.id(),
    name: f.string(),
    rank: f.integer().optional(),
    score: f.number().optional(),
    big: f.bigint().optional(),
    at: f.timestamp().optional(),
    flag: f.boolean().optional(),
    kind: f.enum(['alpha', 'beta', 'gamma']).optional(),
    tag: f.string().optional(),
    counter: f.integer().default(0),
    total: f.bigint().default(0n),
    ratio: f.number().default(0),
    createdAt: f.timestamp().createdAt(),
    updatedAt: f.timestamp().updatedAt(),
    version: f.version(),
  }, { table, indexes: [['rank', 'name'], ['kind', 'rank']] });
}

/**
 * Unique constraints: a single optional field and a composite key.
 *
 * @example
 * ```ts
 * const repo = accountsRepository(h.table('unique'));
 * ```
 */
export function accountsRepository(table: string) {
  return defineRepository('accounts', {
    id: f.id(),
    email: f.string().unique().optional(),
    tenant: f.string(),
    slug: f.string().optional(),
    name: f.string(),
    visits: f.integer().default(0),
    version: f.version(),
  }, { table, unique: [['tenant', 'slug']] });
}

/**
 * The items repository type.
 *
 * @example
 * ```ts
 * const repos: { items: ItemsDef } = { items: itemsRepository('t') };
 * ```
 */
export type ItemsDef = ReturnType<typeof itemsRepository>;

/**
 * Rows for bulk writes: seven fields, one of them an array (SQL drivers
 * cannot unnest it and bind one parameter per value instead).
 *
 * @example
 * ```ts
 * const repo = bulkRepository(h.table('bulk'));
 * ```
 */
export function bulkRepository(table: string) {
  return defineRepository('bulk', {
    id: f.id(),
    seq: f.integer(),
    label: f.string(),
    note: f.text().optional(),
    tags: f.array(f.string()),
    createdAt: f.timestamp().createdAt(),
    version: f.version(),
  }, { table });
}
