/**
 * Raised by a transaction session made for one chunk of a split
 * `updateMany`/`deleteMany` when that chunk's writes are over
 * `maxBatchBytes`, before anything is handed to the transaction (so nothing
 * is written). `fitting` holds the ids of the chunk's leading documents
 * whose writes fit: the driver runs the chunk again cut to that many
 * documents, and the rest in the chunks after it.
 *
 * @example
 * ```ts
 * try { await run(chunk); } catch (e) { if (e instanceof ChunkOverBudget) retryWith(e.fitting); else throw e; }
 * ```
 */
export class ChunkOverBudget extends Error {
  constructor(readonly fitting: readonly string[], readonly bytes: number, readonly budget: number) {
    super(`A chunk of ${bytes} request bytes is over maxBatchBytes (${budget}); it is split before anything is sent.`);
    this.name = 'ChunkOverBudget';
  }
}

/**
 * The ids of the leading documents whose writes, added up, fit in `budget`
 * bytes; always at least the first (one document alone is bounded by the
 * request limit, not the batch budget).
 *
 * @example
 * ```ts
 * fittingPrefix([{ id: 'a', bytes: 600 }, { id: 'b', bytes: 600 }], 1000); // ['a']
 * ```
 */
export function fittingPrefix(docs: readonly { readonly id: string; readonly bytes: number }[], budget: number): string[] {
  const out: string[] = [];
  let total = 0;
  for (const d of docs) {
    if (out.length && total + d.bytes > budget) break;
    out.push(d.id);
    total += d.bytes;
  }
  return out;
}
