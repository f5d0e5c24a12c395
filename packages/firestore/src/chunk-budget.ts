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

/**
 * The size of the next chunk of a split updateMany/deleteMany after a chunk
 * of `ids` documents committed `bytes` of writes. A cut (ChunkOverBudget)
 * lowers the size for the chunks after it; this lets it grow back, so that
 * a few large writes do not leave the rest of the call in tiny chunks (most
 * often documents that need no write, or whose writes are small). It grows
 * at most twofold per committed chunk, and no further than the committed
 * chunk's bytes per document say would fit in `budget`: writes that stay as
 * large as the ones that caused the cut keep the cut size instead of being
 * refused again every other chunk. Only the size of the chunks still to run
 * changes: what committed stays committed, and each document is in exactly
 * one committed chunk. Never below 1 nor above `full`.
 *
 * @example
 * ```ts
 * nextChunkSize({ size: 2, full: 500, budget: 65_536, ids: 2, bytes: 60_000 }); // 2: large writes, the cut size holds
 * nextChunkSize({ size: 2, full: 500, budget: 65_536, ids: 2, bytes: 0 }); // 4: nothing written, grows back
 * ```
 */
export function nextChunkSize(o: { readonly size: number; readonly full: number; readonly budget: number; readonly ids: number; readonly bytes: number }): number {
  const doubled = o.size * 2;
  const fits = o.bytes > 0 ? Math.floor((o.budget * o.ids) / o.bytes) : doubled;
  return Math.max(1, Math.min(o.full, doubled, Math.max(o.size, fits)));
}
