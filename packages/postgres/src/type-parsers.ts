import pg from 'pg';

const INT8 = 20;
const INT8_ARRAY = 1016;
const TEXT_ARRAY = 1009;

const parseTextArray = (pg.types.getTypeParser as (oid: number) => unknown)(TEXT_ARRAY) as (value: string) => Array<string | null>;

/**
 * The pool's result parsers: pg's defaults, except that int8 (`bigint`
 * columns, `count(*)`) becomes a JS bigint instead of a string, as chatcore's
 * `f.bigint()` promises and as PGlite returns it. This also makes the Kysely
 * escape hatch return what its row types say. Set per pool, so other pg users
 * in the process keep pg's global defaults.
 *
 * @example
 * ```ts
 * new pg.Pool({ connectionString, types: chatcoreTypes });
 * ```
 */
export const chatcoreTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === INT8) return (value: string) => BigInt(value);
      if (oid === INT8_ARRAY) return (value: string) => parseTextArray(value).map((v) => (v === null ? null : BigInt(v)));
    }
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
