// Deliberately broken variants of the memory driver, each with one fault a
// real backend could plausibly have. The conformance suite must fail on every
// one of them (see ../conformance-catches-faults.test.ts). Not run as tests.
import type {
  Condition, Driver, DriverCallOptions, DriverSession, NormalizedQuery, RepositorySchema, StoredRow, TransactionOptions, UpsertSpec, WriteTarget, NormalizedPatch,
} from '@chatcore/core/driver';
import { memoryDriver } from '@chatcore/core/driver';
import { evaluateCondition } from '../../src/memory/evaluate-condition.js';
import { compareTuples, isAfterCursor, sortKey } from '../../src/memory/order-rows.js';
import { compareValues } from '../../src/memory/compare-values.js';

type QueryFn = (inner: DriverSession, schema: RepositorySchema, q: NormalizedQuery, o: DriverCallOptions) => Promise<StoredRow[]>;
type UpdateFn = (inner: DriverSession, schema: RepositorySchema, t: WriteTarget, p: NormalizedPatch, o: DriverCallOptions) => Promise<StoredRow[]>;
type DeleteFn = (inner: DriverSession, schema: RepositorySchema, t: WriteTarget, o: DriverCallOptions) => Promise<string[]>;

type UpsertFn = (inner: DriverSession, schema: RepositorySchema, row: StoredRow, spec: UpsertSpec, o: DriverCallOptions) => Promise<{ row: StoredRow; created: boolean }>;

type CountFn = (inner: DriverSession, schema: RepositorySchema, where: Condition | undefined, o: DriverCallOptions) => Promise<number>;

type GetFn = (inner: DriverSession, schema: RepositorySchema, ids: readonly string[], o: DriverCallOptions) => Promise<StoredRow[]>;
type TransactionFn = <T>(inner: DriverSession, fn: (tx: DriverSession) => Promise<T>, o: TransactionOptions) => Promise<T>;

interface Fault {
  /** Replaces transaction() entirely (`inner` is the session it is called on). */
  readonly transaction?: TransactionFn;
  readonly getByIds?: GetFn;
  readonly query?: QueryFn;
  readonly count?: CountFn;
  readonly update?: UpdateFn;
  readonly delete?: DeleteFn;
  readonly upsert?: UpsertFn;
  /** Applied to every row a read or write returns. */
  readonly mapRow?: (schema: RepositorySchema, row: StoredRow) => StoredRow;
}

/** A session that applies `fault` on top of `inner`, also inside transactions. */
function faultySession(inner: DriverSession, fault: Fault): DriverSession {
  const map = fault.mapRow;
  const rows = (schema: RepositorySchema, p: Promise<StoredRow[]>) => (map ? p.then((list) => list.map((r) => map(schema, r))) : p);
  return {
    insert: (s, list, o) => inner.insert(s, list, o),
    getByIds: (s, ids, o) => rows(s, fault.getByIds ? fault.getByIds(inner, s, ids, o) : inner.getByIds(s, ids, o)),
    query: (s, q, o) => rows(s, fault.query ? fault.query(inner, s, q, o) : inner.query(s, q, o)),
    count: (s, w, o) => (fault.count ? fault.count(inner, s, w, o) : inner.count(s, w, o)),
    aggregate: (s, a, o) => inner.aggregate(s, a, o),
    update: (s, t, p, o) => rows(s, fault.update ? fault.update(inner, s, t, p, o) : inner.update(s, t, p, o)),
    delete: (s, t, o) => (fault.delete ? fault.delete(inner, s, t, o) : inner.delete(s, t, o)),
    upsert: async (s, row, spec, o) => {
      const out = await (fault.upsert ? fault.upsert(inner, s, row, spec, o) : inner.upsert(s, row, spec, o));
      return map ? { ...out, row: map(s, out.row) } : out;
    },
    transaction: (fn, o) => (fault.transaction ? fault.transaction(inner, fn, o) : inner.transaction((tx) => fn(faultySession(tx, fault)), o)),
  };
}

function faultyDriver(name: string, fault: Fault | ((root: DriverSession) => Fault)): Driver {
  const inner = memoryDriver({ name });
  return {
    ...faultySession(inner, typeof fault === 'function' ? fault(inner) : fault),
    name,
    capabilities: inner.capabilities,
    connect: () => inner.connect(),
    ensureSchema: (schemas, options) => inner.ensureSchema(schemas, options),
    health: () => inner.health(),
    close: () => inner.close(),
  };
}

/** Every matching row in the query's (correct) order, for variants that then page by themselves. */
function allSorted(inner: DriverSession, schema: RepositorySchema, q: NormalizedQuery, o: DriverCallOptions, withWhere = true): Promise<StoredRow[]> {
  return inner.query(schema, { orderBy: q.orderBy, where: withWhere ? q.where : undefined }, o);
}

function page(rows: StoredRow[], q: NormalizedQuery): StoredRow[] {
  const start = q.offset ?? 0;
  const out = rows.slice(start, q.limit === undefined ? undefined : start + q.limit);
  if (!q.select) return out;
  const select = q.select;
  return out.map((r) => Object.fromEntries(['id', ...select].map((f) => [f, r[f] ?? null])));
}

function withoutVersion(c: Condition | undefined, versionField: string | undefined): Condition | undefined {
  if (!c || !versionField) return c;
  if (c.kind === 'cmp' && c.field === versionField) return undefined;
  if (c.kind === 'and') {
    const rest = c.conditions.map((x) => withoutVersion(x, versionField)).filter((x): x is Condition => x !== undefined);
    return rest.length ? { kind: 'and', conditions: rest } : undefined;
  }
  return c;
}

/** Nulls sorted last ascending and first descending: the opposite of DESIGN 7a (the PostgreSQL default without NULLS FIRST). */
function compareNullsLast(orderBy: NormalizedQuery['orderBy'], a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < orderBy.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    const r = x === null || y === null ? (x === y ? 0 : x === null ? 1 : -1) : compareValues(x, y);
    if (r !== 0) return orderBy[i]!.direction === 'desc' ? -r : r;
  }
  return 0;
}

/** Two-valued logic: a negated leaf (ne, notIn, not startsWith) matches null values, as a naive `!(a == b)` does. */
function matchesTwoValued(c: Condition | undefined, row: StoredRow): boolean {
  if (!c) return true;
  switch (c.kind) {
    case 'and': return c.conditions.every((x) => matchesTwoValued(x, row));
    case 'or': return c.conditions.some((x) => matchesTwoValued(x, row));
    case 'cmp': return c.op === 'ne' && row[c.field] === null ? true : evaluateCondition(c, row);
    case 'in':
    case 'startsWith': return c.negate && row[c.field] === null ? true : evaluateCondition(c, row);
    default: return evaluateCondition(c, row);
  }
}

/** A row with `fn` applied to every value, array items included (JSON values too, deeply). */
function mapValues(row: StoredRow, fn: (v: unknown) => unknown): StoredRow {
  const deep = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(deep);
    if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [fn(k) as string, deep(x)]));
    }
    return fn(v);
  };
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, deep(v)]));
}

/** `<` on strings (UTF-16 code units), the reference comparison otherwise. */
function compareByCodeUnit(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return compareValues(a, b);
}

function compareTuplesByCodeUnit(orderBy: NormalizedQuery['orderBy'], a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < orderBy.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    const r = x === null || y === null ? (x === y ? 0 : x === null ? -1 : 1) : compareByCodeUnit(x, y);
    if (r !== 0) return orderBy[i]!.direction === 'desc' ? -r : r;
  }
  return 0;
}

/** evaluateCondition with range comparisons of strings by code unit. */
function matchesByCodeUnit(c: Condition | undefined, row: StoredRow): boolean {
  if (!c) return true;
  switch (c.kind) {
    case 'and': return c.conditions.every((x) => matchesByCodeUnit(x, row));
    case 'or': return c.conditions.some((x) => matchesByCodeUnit(x, row));
    case 'cmp': {
      const v = row[c.field];
      if (v === null || v === undefined || typeof v !== 'string') return evaluateCondition(c, row);
      const r = compareByCodeUnit(v, c.value);
      return { eq: r === 0, ne: r !== 0, gt: r > 0, gte: r >= 0, lt: r < 0, lte: r <= 0 }[c.op];
    }
    default: return evaluateCondition(c, row);
  }
}

/** The broken variants by name. */
export const BROKEN_VARIANTS: Readonly<Record<string, () => Driver>> = {
  /** The keyset cursor compares only the sort fields, not the id tie-breaker: rows tied with the cursor row are skipped. */
  'cursor-ignores-ties': () =>
    faultyDriver('cursor-ignores-ties', {
      async query(inner, schema, q, o) {
        if (!q.after) return inner.query(schema, q, o);
        const prefix = q.orderBy.slice(0, -1);
        const after = q.after.slice(0, -1);
        const rows = await allSorted(inner, schema, q, o);
        return page(rows.filter((r) => compareTuples(prefix, sortKey(r, prefix), after) > 0), { ...q, offset: q.offset });
      },
    }),
  /** The keyset cursor keeps the cursor row itself: every page starts with the last row of the one before. */
  'cursor-inclusive': () =>
    faultyDriver('cursor-inclusive', {
      async query(inner, schema, q, o) {
        if (!q.after) return inner.query(schema, q, o);
        const after = q.after;
        const rows = await allSorted(inner, schema, q, o);
        return page(rows.filter((r) => compareTuples(q.orderBy, sortKey(r, q.orderBy), after) >= 0), q);
      },
    }),
  /** Upsert reports every record as created, updated ones included. */
  'upsert-always-created': () =>
    faultyDriver('upsert-always-created', {
      upsert: async (inner, schema, row, spec, o) => ({ ...(await inner.upsert(schema, row, spec, o)), created: true }),
    }),
  /** Updates and deletes ignore the expected-version condition. */
  'version-check-skipped': () =>
    faultyDriver('version-check-skipped', {
      update: (inner, schema, t, p, o) => inner.update(schema, { ...t, where: withoutVersion(t.where, schema.versionField) }, p, o),
      delete: (inner, schema, t, o) => inner.delete(schema, { ...t, where: withoutVersion(t.where, schema.versionField) }, o),
    }),
  /** offset skips rows of the unfiltered order, then the filter runs. */
  'offset-before-filter': () =>
    faultyDriver('offset-before-filter', {
      async query(inner, schema, q, o) {
        if (!q.offset) return inner.query(schema, q, o);
        const rows = (await allSorted(inner, schema, q, o, false)).slice(q.offset);
        const after = q.after;
        const kept = rows.filter((r) => evaluateCondition(q.where, r) && (!after || isAfterCursor(r, q.orderBy, after)));
        return page(kept, { ...q, offset: 0 });
      },
    }),
  /** Nulls sort last ascending and first descending. */
  'nulls-ordered-wrongly': () =>
    faultyDriver('nulls-ordered-wrongly', {
      async query(inner, schema, q, o) {
        const rows = await allSorted(inner, schema, q, o);
        const keyed = rows.map((r) => ({ r, k: sortKey(r, q.orderBy) }));
        keyed.sort((a, b) => compareNullsLast(q.orderBy, a.k, b.k));
        const after = q.after;
        const kept = keyed.filter((x) => !after || compareNullsLast(q.orderBy, x.k, after) > 0).map((x) => x.r);
        return page(kept, q);
      },
    }),
  /** ne, notIn and a negated startsWith match nulls (no three-valued logic). */
  'negation-matches-nulls': () =>
    faultyDriver('negation-matches-nulls', {
      async query(inner, schema, q, o) {
        const rows = (await allSorted(inner, schema, q, o, false)).filter((r) => matchesTwoValued(q.where, r));
        const after = q.after;
        return page(after ? rows.filter((r) => isAfterCursor(r, q.orderBy, after)) : rows, q);
      },
      async count(inner, schema, where, o) {
        return (await inner.query(schema, { orderBy: [{ field: 'id', direction: 'asc' }] }, o)).filter((r) => matchesTwoValued(where, r)).length;
      },
    }),
  /** transaction() runs the function straight on the store: no isolation, nothing rolled back. */
  'transaction-without-rollback': () => {
    let self: DriverSession;
    const driver = faultyDriver('transaction-without-rollback', { transaction: (_inner, fn) => fn(self) });
    self = driver;
    return driver;
  },
  /** A transaction's session keeps working after the transaction ended, in autocommit (a pooled connection handed back). */
  'session-usable-after-transaction': () => {
    let root!: DriverSession;
    const driver = faultyDriver('session-usable-after-transaction', {
      transaction: (inner, fn, o) => inner.transaction((tx) => {
        let ended = false;
        const now = () => (ended ? root : tx);
        const session: DriverSession = {
          insert: (...a) => now().insert(...a),
          getByIds: (...a) => now().getByIds(...a),
          query: (...a) => now().query(...a),
          count: (...a) => now().count(...a),
          aggregate: (...a) => now().aggregate(...a),
          update: (...a) => now().update(...a),
          delete: (...a) => now().delete(...a),
          upsert: (...a) => now().upsert(...a),
          transaction: (...a) => now().transaction(...a),
        };
        return fn(session).finally(() => { ended = true; });
      }, o),
    });
    root = driver;
    return driver;
  },
  /** Characters beyond the BMP come back as U+FFFD (a utf8mb3-style column). */
  'astral-strings-mangled': () =>
    faultyDriver('astral-strings-mangled', { mapRow: (_schema, row) => mapValues(row, (v) => (typeof v === 'string' ? v.replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD') : v)) }),
  /** Timestamps before year 100 come back 1900 years later (a decoder built on Date.UTC, which reads years 0-99 as 1900-1999). */
  'timestamps-before-year-100-shifted': () =>
    faultyDriver('timestamps-before-year-100-shifted', {
      mapRow: (_schema, row) => mapValues(row, (v) => {
        if (!(v instanceof Date) || v.getUTCFullYear() >= 100) return v;
        const shifted = new Date(v.getTime());
        shifted.setUTCFullYear(v.getUTCFullYear() + 1900);
        return shifted;
      }),
    }),
  /** Strings compare by UTF-16 code unit (JavaScript's <), so astral characters sort before U+E000..U+FFFF. */
  'strings-by-code-unit': () =>
    faultyDriver('strings-by-code-unit', {
      async query(inner, schema, q, o) {
        const rows = (await allSorted(inner, schema, q, o, false)).filter((r) => matchesByCodeUnit(q.where, r));
        const keyed = rows.map((r) => ({ r, k: sortKey(r, q.orderBy) }));
        keyed.sort((a, b) => compareTuplesByCodeUnit(q.orderBy, a.k, b.k));
        const after = q.after;
        return page(keyed.filter((x) => !after || compareTuplesByCodeUnit(q.orderBy, x.k, after) > 0).map((x) => x.r), q);
      },
      async count(inner, schema, where, o) {
        return (await inner.query(schema, { orderBy: [{ field: 'id', direction: 'asc' }] }, o)).filter((r) => matchesByCodeUnit(where, r)).length;
      },
    }),
  /** Reads return the stored row objects themselves (an identity map without copies): changing a returned record changes the store. */
  'reads-share-stored-rows': () =>
    faultyDriver('reads-share-stored-rows', (root) => {
      const shared = new Map<string, StoredRow>();
      const keep = (schema: RepositorySchema, inner: DriverSession, list: StoredRow[]) => list.map((r) => {
        if (inner !== root) return r;
        const key = `${schema.table}/${r.id as string}`;
        const known = shared.get(key);
        if (known) return known;
        shared.set(key, r);
        return r;
      });
      return {
        getByIds: async (inner, schema, ids, o) => (o.select ? inner.getByIds(schema, ids, o) : keep(schema, inner, await inner.getByIds(schema, ids, o))),
        query: async (inner, schema, q, o) => (q.select ? inner.query(schema, q, o) : keep(schema, inner, await inner.query(schema, q, o))),
        async update(inner, schema, t, p, o) {
          const updated = await inner.update(schema, t, p, o);
          for (const r of updated) shared.delete(`${schema.table}/${r.id as string}`);
          return updated;
        },
      };
    }),
  /** A filtered update (updateMany) drops its filter and updates every row. */
  'update-many-ignores-filter': () =>
    faultyDriver('update-many-ignores-filter', {
      update: (inner, schema, t, p, o) => inner.update(schema, t.ids ? t : {}, p, o),
    }),
};

/** The correct driver, run through the same entry point as a control. */
export const CONTROL_VARIANT = 'correct';
