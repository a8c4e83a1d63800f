/**
 * Flat clusters from a linkage, as scipy's `fcluster(Z, t=k, criterion='maxclust')` forms them: a bisection over
 * the merges' subtree-maximum heights finds a threshold at which at most k clusters remain, then a depth-first walk
 * from the root numbers the clusters 1, 2, … in the order it reaches them. Reproduced step for step (the bisection
 * probes indices into the per-merge maxima, not sorted values) so labels and ties equal scipy 1.17's.
 */
import type { Linkage } from './ward-linkage.js';

/**
 * Cluster label (1-based) of each observation, with at most `k` clusters.
 *
 * @example
 * const labels = fclusterMaxclust(wardLinkage(condensed, n), 3); // Int32Array of n labels in 1..3
 */
export function fclusterMaxclust(linkage: Linkage, k: number): Int32Array {
  const { n, z } = linkage;
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`fclusterMaxclust: k must be a positive integer (got ${k}).`);
  // scipy (since gh-12651): k ≥ n keeps every observation apart, numbered in index order.
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i + 1);
  const maxHeights = subtreeMaxHeights(z, n);
  // Bisection over merge indices: lower is known to give more than k clusters (−1: no merge), upper at most k.
  let lower = -1;
  let upper = n - 2;
  while (upper - lower > 1) {
    const i = (lower + upper) >> 1;
    if (clustersAt(z, n, maxHeights, maxHeights[i]!, k) > k) lower = i;
    else upper = i;
  }
  return labelsAt(z, n, maxHeights, maxHeights[upper]!);
}

/** For each merge, the largest height in its subtree (scipy's `get_max_dist_for_each_cluster`). */
function subtreeMaxHeights(z: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n - 1);
  // Children are earlier rows, so one pass in row order sees them first. scipy compares with `>`: NaN never wins.
  for (let row = 0; row < n - 1; row++) {
    let max = z[row * 4 + 2]!;
    for (const child of [z[row * 4]!, z[row * 4 + 1]!]) {
      if (child >= n && out[child - n]! > max) max = out[child - n]!;
    }
    out[row] = max;
  }
  return out;
}

/** Clusters formed at `cutoff`, counting stops once past `limit` (scipy's inner loop of the bisection). */
function clustersAt(z: Float64Array, n: number, maxHeights: Float64Array, cutoff: number, limit: number): number {
  let count = 0;
  const stack = [2 * n - 2];
  while (stack.length > 0) {
    const row = stack.pop()! - n;
    if (maxHeights[row]! <= cutoff) {
      if (++count > limit) return count;
      continue;
    }
    for (const child of [z[row * 4]!, z[row * 4 + 1]!]) {
      if (child >= n) stack.push(child);
      else if (++count > limit) return count;
    }
  }
  return count;
}

/**
 * Labels at `cutoff` (scipy's `cluster_monocrit`): a subtree whose maximum height is ≤ cutoff is one cluster.
 * Numbers follow scipy's walk: at each merge its internal children first (left, then right), then its leaves.
 */
function labelsAt(z: Float64Array, n: number, maxHeights: Float64Array, cutoff: number): Int32Array {
  const labels = new Int32Array(n);
  let next = 0;
  const visit = (node: number, inCluster: boolean): void => {
    const row = node - n;
    const starts = !inCluster && maxHeights[row]! <= cutoff;
    if (starts) next++;
    const inside = inCluster || starts;
    const children = [z[row * 4]!, z[row * 4 + 1]!];
    for (const child of children) if (child >= n) visit(child, inside);
    for (const child of children) if (child < n) labels[child] = inside ? next : ++next;
  };
  // Depth is at most n − 1 merges (a few hundred for a 512-token document window).
  visit(2 * n - 2, false);
  return labels;
}
