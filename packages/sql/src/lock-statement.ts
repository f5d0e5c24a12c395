import { sql, type SqlBool } from 'kysely';
import type { SchemaPlan } from './schema-plan.js';
import type { SqlStatement } from './sql-executor.js';
import { bindShape, compiler, SlotAllocator, toShape } from './statement-shape.js';

/**
 * `SELECT id ... WHERE id = any($1) ORDER BY id FOR UPDATE`: locks the rows
 * with these ids until the transaction ends, as a DELETE of them would, in
 * id order (two deletes of overlapping rows queue rather than deadlock). A
 * FOREIGN KEY check in another transaction takes `FOR KEY SHARE` on the row
 * it references, so a write naming one of them waits for this transaction
 * and then sees whether the row is still there. Never read-only: it must
 * run on the transaction's connection (a replica cannot lock).
 *
 * @example
 * ```ts
 * const { rows } = await run(lockStatement(plan, ['c1', 'c2'])); // the ids found, now locked
 * ```
 */
export function lockStatement(plan: SchemaPlan, ids: readonly string[]): SqlStatement {
  const shape = plan.shape('lock', () => {
    const id = sql.ref(plan.field('id').column);
    const where = sql<SqlBool>`${id} = any(${new SlotAllocator().slot()}::text[])`;
    return toShape(compiler.selectFrom(plan.table).select(id.as('id')).where(where).orderBy(id).forUpdate().compile(), true);
  });
  return bindShape(shape, [ids]);
}
