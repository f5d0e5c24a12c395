import * as assert from 'uvu/assert';
import type { DriverCapabilities } from '../driver/capabilities.js';
import type { Plugin } from '../plugin/plugin.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import { ValidationError } from '../errors.js';
import type { Harness } from './harness.js';
import { rejectsWith } from './harness.js';
import { compareScalars, show, type Rec } from './reference.js';

/**
 * The repository of the aggregate tests: optional fields of each numeric
 * type, a timestamp, and two group keys.
 *
 * @example
 * ```ts
 * const repo = salesRepository(h.table('aggregates'));
 * ```
 */
export function salesRepository(table: string) {
  return defineRepository('sales', {
    id: f.id(),
    region: f.string().optional(),
    kind: f.enum(['web', 'shop']),
    qty: f.integer().optional(),
    amount: f.number().optional(),
    big: f.bigint().optional(),
    at: f.timestamp().optional(),
    label: f.string().optional(),
  }, { table });
}

const BASE = Date.UTC(2025, 5, 1);
/** Amounts are multiples of 1/4, so every sum is exact in binary floating point. */
function saleRows(): Rec[] {
  const regions = ['north', 'south', null, 'east', 'south'];
  return Array.from({ length: 23 }, (_, i) => ({
    region: regions[i % regions.length],
    kind: i % 3 === 0 ? 'shop' : 'web',
    qty: i % 4 === 2 ? null : (i * 7) % 11,
    amount: i % 5 === 4 ? null : ((i * 13) % 17) * 0.25 - 1,
    big: i % 6 === 5 ? null : 2n ** 40n + BigInt(i * 1000),
    at: i % 7 === 6 ? null : new Date(BASE + ((i * 37) % 23) * 3_600_000),
    label: i % 2 ? `L${i % 4}` : null,
  }));
}

type Fn = 'count' | 'sum' | 'avg' | 'min' | 'max';
interface Spec {
  readonly where?: (r: Rec) => boolean;
  readonly whereFilter?: Rec;
  readonly groupBy?: string[];
  readonly measures: Partial<Record<Fn, string[]>>;
  readonly orderBy?: Array<{ group?: string; fn?: Fn; field?: string; dir: 'asc' | 'desc' }>;
  readonly limit?: number;
}

const isNil = (v: unknown) => v === null || v === undefined;

/** The model: plain JavaScript over the records, SQL semantics (nulls ignored; sum/avg/min/max of nothing is null). */
function model(all: readonly Rec[], spec: Spec): Rec[] {
  const rows = spec.where ? all.filter(spec.where) : all;
  const keys = spec.groupBy ?? [];
  const groups = new Map<string, Rec[]>();
  for (const r of rows) {
    const k = show(keys.map((g) => r[g] ?? null));
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  if (keys.length === 0 && groups.size === 0) groups.set('[]', []);
  const out = [...groups.values()].map((members) => {
    const res: Rec = { group: {}, count: {}, sum: {}, avg: {}, min: {}, max: {} };
    const first = members[0] ?? {};
    for (const g of keys) (res.group as Rec)[g] = first[g] ?? null;
    for (const [fn, fields] of Object.entries(spec.measures) as Array<[Fn, string[]]>) {
      for (const field of fields) {
        const vals = field === '_all' ? members : members.map((m) => m[field]).filter((v) => !isNil(v));
        let v: unknown;
        if (fn === 'count') v = vals.length;
        else if (vals.length === 0) v = null;
        else if (fn === 'sum') v = typeof vals[0] === 'bigint' ? (vals as bigint[]).reduce((a, b) => a + b) : (vals as number[]).reduce((a, b) => a + b);
        else if (fn === 'avg') v = typeof vals[0] === 'bigint' ? Number((vals as bigint[]).reduce((a, b) => a + b)) / vals.length : (vals as number[]).reduce((a, b) => a + b) / vals.length;
        else v = [...vals].sort(compareScalars)[fn === 'min' ? 0 : vals.length - 1];
        (res[fn] as Rec)[field] = v;
      }
    }
    return res;
  });
  const terms = [...(spec.orderBy ?? [])];
  for (const g of keys) if (!terms.some((t) => t.group === g)) terms.push({ group: g, dir: 'asc' });
  const valueOf = (r: Rec, t: (typeof terms)[number]) => (t.group ? (r.group as Rec)[t.group] : (r[t.fn!] as Rec)[t.field!]);
  out.sort((a, b) => {
    for (const t of terms) {
      const x = valueOf(a, t);
      const y = valueOf(b, t);
      const c = isNil(x) || isNil(y) ? (isNil(x) && isNil(y) ? 0 : isNil(x) ? -1 : 1) : compareScalars(x, y);
      if (c !== 0) return t.dir === 'desc' ? -c : c;
    }
    return 0;
  });
  return spec.limit === undefined ? out : out.slice(0, spec.limit);
}

/** Equal, with averages compared to 1e-9 relative (backends divide in different precisions). */
function close(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number' && !Number.isInteger(expected)) {
    assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${path}: expected ${expected}, got ${actual}`);
    return;
  }
  if (expected instanceof Date) {
    assert.ok(actual instanceof Date && actual.getTime() === expected.getTime(), `${path}: expected ${show(expected)}, got ${show(actual)}`);
    return;
  }
  if (expected && typeof expected === 'object') {
    assert.equal(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const k of Object.keys(expected)) close((actual as Rec)[k], (expected as Rec)[k], `${path}.${k}`);
    return;
  }
  assert.ok(actual === expected, `${path}: expected ${show(expected)}, got ${show(actual)}`);
}

function toQuery(spec: Spec): Rec {
  const q: Rec = { ...spec.measures };
  if (spec.whereFilter) q.where = spec.whereFilter;
  if (spec.groupBy) q.groupBy = spec.groupBy;
  if (spec.limit !== undefined) q.limit = spec.limit;
  if (spec.orderBy) q.orderBy = spec.orderBy.map((t) => (t.group ? { [t.group]: t.dir } : { [t.fn!]: { [t.field!]: t.dir } }));
  return q;
}

type Needs = ReadonlyArray<keyof DriverCapabilities>;
const CASES: ReadonlyArray<{ name: string; spec: Spec; needs: Needs }> = [
  { name: 'count of every record', spec: { measures: { count: ['_all'] } }, needs: [] },
  { name: 'count, sum and avg over a filter', spec: { where: (r) => r.kind === 'web', whereFilter: { kind: 'web' }, measures: { count: ['_all'], sum: ['qty', 'amount'], avg: ['qty'] } }, needs: [] },
  { name: 'sum and avg of a bigint field beyond 2^32', spec: { measures: { sum: ['big'], avg: ['big'] } }, needs: [] },
  { name: 'sum and avg over no records are null, count is 0', spec: { where: () => false, whereFilter: { region: 'nowhere' }, measures: { count: ['_all'], sum: ['qty'], avg: ['amount'] } }, needs: [] },
  { name: 'sum over records whose field is null is null', spec: { where: (r) => r.amount === null, whereFilter: { amount: null }, measures: { count: ['_all'], sum: ['amount'] } }, needs: [] },
  { name: 'count of a field counts its non-null values', spec: { measures: { count: ['_all', 'label', 'qty'] } }, needs: ['countField'] },
  { name: 'min and max of numbers, timestamps and strings', spec: { measures: { min: ['qty', 'at', 'label'], max: ['amount', 'at', 'region'] } }, needs: ['aggregateMinMax'] },
  { name: 'groupBy a field with nulls (null is one group, first)', spec: { groupBy: ['region'], measures: { count: ['_all'], sum: ['qty'], avg: ['amount'], min: ['at'], max: ['big'] } }, needs: ['groupBy', 'aggregateMinMax'] },
  { name: 'groupBy two fields', spec: { groupBy: ['kind', 'region'], measures: { count: ['_all'], sum: ['big'] } }, needs: ['groupBy'] },
  { name: 'groups ordered by a measure, descending, with a limit', spec: { groupBy: ['region'], measures: { count: ['_all'], sum: ['qty'] }, orderBy: [{ fn: 'sum', field: 'qty', dir: 'desc' }], limit: 3 }, needs: ['groupBy'] },
  { name: 'groups ordered by a group field, descending (nulls last)', spec: { groupBy: ['region'], measures: { avg: ['qty'] }, orderBy: [{ group: 'region', dir: 'desc' }] }, needs: ['groupBy'] },
  { name: 'groupBy with a filter', spec: { where: (r) => !isNil(r.qty) && (r.qty as number) >= 3, whereFilter: { qty: { gte: 3 } }, groupBy: ['kind'], measures: { count: ['_all'], max: ['qty'] } }, needs: ['groupBy', 'aggregateMinMax'] },
];

const REFUSED: ReadonlyArray<{ cap: keyof DriverCapabilities; what: string; query: Rec }> = [
  { cap: 'groupBy', what: 'groupBy', query: { groupBy: ['region'], count: ['_all'] } },
  { cap: 'aggregateMinMax', what: 'min', query: { min: ['qty'] } },
  { cap: 'aggregateMinMax', what: 'max', query: { max: ['at'] } },
  { cap: 'countField', what: 'count of a field', query: { count: ['label'] } },
];

/**
 * `aggregate` against a plain-JS model: count, sum, avg, min and max,
 * nulls ignored, sums and averages of nothing null, groups (nulls one
 * group), ordering by groups or measures, limits. What a driver declares
 * it cannot do (groupBy, min / max on Firestore) is refused with
 * UnsupportedQueryError before any plugin or the driver sees it.
 *
 * @example
 * ```ts
 * registerAggregateTests(harness);
 * ```
 */
export function registerAggregateTests(h: Harness): void {
  const repos = { sales: salesRepository(h.table('aggregates')) };
  const seen: string[] = [];
  const spy: Plugin = { name: 'spy', beforeRead({ op }) { seen.push(op.kind); } };
  let seeded: Promise<Rec[]> | undefined;
  h.group('aggregates', repos, (test) => {
    const rows = (db: { sales: { createMany(rows: never[]): Promise<unknown[]> } }) =>
      (seeded ??= db.sales.createMany(saleRows() as never[]) as Promise<Rec[]>);
    for (const c of CASES) {
      if (c.needs.some((cap) => !h.capabilities[cap])) continue;
      test(`aggregate: ${c.name}`, async ({ db }) => {
        const all = await rows(db);
        const expected = model(all, c.spec);
        const found = await db.sales.aggregate(toQuery(c.spec) as never);
        assert.is(found.length, expected.length, `${c.name}: groups`);
        expected.forEach((e, i) => close(found[i], e, `${c.name}[${i}]`));
      });
    }
    for (const r of REFUSED) {
      if (h.capabilities[r.cap]) continue;
      test(`aggregate with ${r.what} is refused with UnsupportedQueryError (${r.cap}: false); nothing reaches the plugins`, async ({ db }) => {
        await rows(db);
        seen.length = 0;
        await rejectsWith(() => db.sales.aggregate(r.query as never), 'UNSUPPORTED_QUERY', r.what);
        assert.equal(seen, []);
      });
    }
    test('a bad aggregate is refused with ValidationError', async ({ db }) => {
      await rejectsWith(() => db.sales.aggregate({ sum: ['region'] } as never), 'VALIDATION', 'sum of a string');
      await rejectsWith(() => db.sales.aggregate({ avg: ['nope'] } as never), 'VALIDATION', 'an unknown field');
      await rejectsWith(() => db.sales.aggregate({} as never), 'VALIDATION', 'no measure');
      await rejectsWith(() => db.sales.aggregate({ count: ['_all'], limit: 2 } as never), 'VALIDATION', 'limit without groupBy');
      await rejectsWith(() => db.sales.aggregate({ groupBy: ['region'], count: ['_all'], orderBy: { sum: { qty: 'asc' } } } as never), 'VALIDATION', 'order by a measure not computed');
    });
    if (h.capabilities.groupBy) {
      test('an aggregate orderBy list item with two keys is a ValidationError naming the item, as on every backend', async ({ db }) => {
        await rows(db);
        const base = { groupBy: ['region', 'kind'], count: ['_all'], sum: ['qty', 'amount'] };
        for (const orderBy of [[{ region: 'asc', kind: 'desc' }], [{ kind: 'asc' }, { sum: { qty: 'desc' }, region: 'asc' }], [{ sum: { qty: 'desc', amount: 'asc' } }]]) {
          const error = await rejectsWith(() => db.sales.aggregate({ ...base, orderBy } as never), 'VALIDATION', JSON.stringify(orderBy));
          assert.match(error.message, /one key per list item/);
          assert.instance(error, ValidationError);
          assert.equal((error as ValidationError).issues.map((i) => i.path), [`orderBy[${orderBy.length - 1}]`]);
        }
        const listed = await db.sales.aggregate({ ...base, orderBy: [{ sum: { qty: 'desc' } }, { region: 'asc' }], limit: 3 } as never);
        const one = await db.sales.aggregate({ ...base, orderBy: { sum: { qty: 'desc' }, region: 'asc' }, limit: 3 } as never);
        assert.is(listed.length, 3);
        assert.equal(one, listed, 'one object keeps its keys in order');
      });
    }
  }, [spy]);
}
