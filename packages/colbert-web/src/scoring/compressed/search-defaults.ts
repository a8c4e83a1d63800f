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
