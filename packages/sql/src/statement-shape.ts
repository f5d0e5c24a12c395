import { createHash } from 'node:crypto';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type CompiledQuery } from 'kysely';
import type { SqlStatement } from './sql-executor.js';

/**
 * A placeholder for a statement parameter while a shape is compiled. Kysely
 * carries it through as an opaque value; after compilation the order of the
 * slots in `parameters` tells where each call's value goes.
 *
 * @example
 * ```ts
 * const where = sql`${sql.ref('id')} = ${alloc.slot()}`;
 * ```
 */
export class Slot {
  constructor(readonly index: number) {}
}

/**
 * Hands out slots in the order the shape walk meets values.
 *
 * @example
 * ```ts
 * const alloc = new SlotAllocator(); const a = alloc.slot(); const b = alloc.slot(); // indexes 0, 1
 * ```
 */
export class SlotAllocator {
  private next = 0;
  slot(): Slot {
    return new Slot(this.next++);
  }
}

/**
 * A compiled query shape: SQL text with `$n` placeholders, a stable statement
 * name, and where each collected value goes (null when in order).
 *
 * @example
 * ```ts
 * const stmt = bindShape(shape, [id]);
 * ```
 */
export interface StatementShape {
  readonly sql: string;
  readonly name: string | undefined;
  readonly order: readonly number[] | null;
}

/**
 * Kysely used only to compile (never to run): the PostgreSQL compiler with a
 * driver that has no connection. Every identifier it sees comes from a storage
 * schema, every value is a Slot.
 *
 * @example
 * ```ts
 * const compiled = compiler.selectFrom('people').select('id').where('id', '=', alloc.slot()).compile();
 * ```
 */
export const compiler: Kysely<any> = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * Turn a Kysely compiled query whose parameters are Slots into a reusable
 * shape. `named` gives it a statement name so that clients with server-side
 * prepared statements prepare it once per connection.
 *
 * @example
 * ```ts
 * const shape = toShape(compiler.selectFrom('t').selectAll().where('id', '=', alloc.slot()).compile(), true);
 * ```
 */
export function toShape(compiled: CompiledQuery, named: boolean): StatementShape {
  const order: number[] = [];
  let inOrder = true;
  for (const [i, p] of compiled.parameters.entries()) {
    if (!(p instanceof Slot)) throw new Error(`internal: shape parameter ${i} is not a slot`);
    order.push(p.index);
    if (p.index !== i) inOrder = false;
  }
  const name = named ? `cc_${createHash('sha1').update(compiled.sql).digest('base64url').slice(0, 20)}` : undefined;
  return { sql: compiled.sql, name, order: inOrder ? null : order };
}

/**
 * A statement for one call: the shape's text and this call's values, put in
 * the order the shape's placeholders expect.
 *
 * @example
 * ```ts
 * await executor.execute(bindShape(shape, values));
 * ```
 */
export function bindShape(shape: StatementShape, values: unknown[], readOnly = false): SqlStatement {
  const parameters = shape.order === null ? values : shape.order.map((i) => values[i]);
  return { sql: shape.sql, parameters, name: shape.name, readOnly };
}

/**
 * A bounded map of shapes. Query shapes depend only on structure, so a
 * workload has few; the bound protects against pathological callers.
 *
 * @example
 * ```ts
 * const shape = cache.get(key) ?? cache.set(key, build());
 * ```
 */
export class ShapeCache {
  private readonly map = new Map<string, StatementShape>();
  constructor(private readonly max = 500) {}
  get(key: string): StatementShape | undefined {
    return this.map.get(key);
  }
  set(key: string, shape: StatementShape): StatementShape {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, shape);
    return shape;
  }
}
