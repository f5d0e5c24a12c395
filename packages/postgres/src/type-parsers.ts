import pg from 'pg';
import { timestamptzParser } from './timestamp-parser.js';

const INT8 = 20;
const INT8_ARRAY = 1016;
const TEXT_ARRAY = 1009;
const TIMESTAMPTZ = 1184;

const parseTextArray = (pg.types.getTypeParser as (oid: number) => unknown)(TEXT_ARRAY) as (value: string) => Array<string | null>;
const parseTimestamptz = timestamptzParser((pg.types.getTypeParser as (oid: number) => unknown)(TIMESTAMPTZ) as (value: string) => unknown);
const parseInt8 = (value: string): bigint => BigInt(value);
const parseInt8Array = (value: string): Array<bigint | null> => parseTextArray(value).map((v) => (v === null ? null : BigInt(v)));

/**
 * The pool's result parsers: pg's defaults, except that int8 (`bigint`
 * columns, `count(*)`) becomes a JS bigint instead of a string, as chatcore's
 * `f.bigint()` promises and as PGlite returns it, and that `timestamptz`
 * text is read by a parser without regular expressions (the same Dates as
 * pg's). This also makes the Kysely escape hatch return what its row types
 * say. Set per pool, so other pg users in the process keep pg's global
 * defaults.
 *
 * @example
 * ```ts
 * new pg.Pool({ connectionString, types: chatcoreTypes });
 * ```
 */
export const chatcoreTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === INT8) return parseInt8;
      if (oid === TIMESTAMPTZ) return parseTimestamptz;
      if (oid === INT8_ARRAY) return parseInt8Array;
    }
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
