/** How far the pruned search looks (PLAID's three knobs). */
export interface PruningSettings {
  /** Centroids probed per query token: their inverted lists give the candidate documents. */
  nprobe: number;
  /** Stage 2 counts only document tokens whose centroid scores at least this with some query token. */
  centroidThreshold: number;
  /** Candidates kept after stage 2 (approximate scores from pruned centroid scores); a quarter go to exact scoring. */
  ndocs: number;
}

/**
 * Defaults by k and corpus size, after PLAID's (k ≤ 10: nprobe 1, t_cs 0.5, ndocs 256; k ≤ 100: 2, 0.45,
 * 1024; more: 4, 0.4, max(4k, 4096)) with one more probe per step, measured on SciFact to keep the top-10 of the
 * pruned search equal to the exact search on the same compressed index (docs/compressed-index.md).
 * ndocs is at least 4k (so the exact stage sees ≥ k documents) and at most the corpus.
 */
export function pruningDefaults(k: number, documents: number): PruningSettings {
  const [nprobe, centroidThreshold, ndocs] = k <= 10 ? [2, 0.5, 256] : k <= 100 ? [3, 0.45, 1024] : [5, 0.4, Math.max(4 * k, 4096)];
  return { nprobe, centroidThreshold, ndocs: Math.max(1, Math.min(documents, Math.max(ndocs, 4 * k))) };
}

/**
 * Stored rows at which an `nbits` index compresses by default, 2^18. Measured with the WASM kernels
 * (docs/compressed-index.md, "Threshold"; Node, 2 threads, d = 128, nbits 2): the pruned search's p50 is 1.7× the
 * exact int8 scan's speed at 131k rows and 2.0× at 262k (5.3× at 1M); at 2^18 it stays ahead even against
 * Chromium's relaxed-SIMD scan (about twice Node's), and the rows cost 54 B instead of 132. Below it, the shared
 * tables weigh more per row and an exact scan takes a few milliseconds.
 */
export const DEFAULT_COMPRESS_AT = 262_144;
