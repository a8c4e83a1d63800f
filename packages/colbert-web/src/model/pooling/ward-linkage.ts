/**
 * Ward hierarchical clustering of a condensed distance vector, the way scipy's
 * `linkage(condensed, method='ward')` computes it: the nearest-neighbour chain over the Lance–Williams Ward update
 * (in float64, on whatever distances it is given — PyLate gives cosine distances, which are not Euclidean), merges
 * sorted by height (stable), then relabelled with a union-find so each row names the clusters it joins.
 * Ties resolve as scipy's do: a scan keeps the first strict minimum, and the chain prefers its previous element.
 */

/** A linkage matrix: n − 1 merges of (left, right, height, size); clusters ≥ n are earlier merges (n + row). */
export interface Linkage {
  /** Observations clustered. */
  readonly n: number;
  /** (n − 1) × 4, row-major: left id, right id (left < right), merge height, members of the new cluster. */
  readonly z: Float64Array;
}

/** Index of pair (i, j), i ≠ j, in the condensed (upper triangle, row-major) vector of n observations. */
export function condensedIndex(n: number, i: number, j: number): number {
  // No destructuring: this runs O(n²) times per linkage, and a temporary array each time dominates the cost.
  const a = i < j ? i : j;
  const b = i < j ? j : i;
  return n * a - (a * (a + 1)) / 2 + (b - a - 1);
}

/** Lance–Williams Ward: distance from cluster i to the union of x and y (scipy's `_ward`; NaN when negative inside). */
function wardUpdate(dxi: number, dyi: number, dxy: number, nx: number, ny: number, ni: number): number {
  const t = 1 / (nx + ny + ni);
  return Math.sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
}

/**
 * Ward linkage of `n` observations from their condensed distances (length n(n−1)/2), which it overwrites with
 * the working cluster distances (pass a copy to keep them). Time O(n²) distance updates plus O(n²) chain scans;
 * memory: the caller's distances plus O(n).
 *
 * @example
 * const { z } = wardLinkage(Float64Array.of(1, 4, 2), 3); // d(0,1)=1, d(0,2)=4, d(1,2)=2
 */
export function wardLinkage(d: Float64Array, n: number): Linkage {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`wardLinkage needs at least 2 observations (got ${n}).`);
  if (d.length !== (n * (n - 1)) / 2) throw new RangeError(`wardLinkage: ${d.length} distances for ${n} observations.`);
  const size = new Int32Array(n).fill(1);
  const chain = new Int32Array(n);
  const merges = new Float64Array((n - 1) * 4);
  let chainLength = 0;
  for (let k = 0; k < n - 1; k++) {
    if (chainLength === 0) {
      chain[0] = size.findIndex((s) => s > 0);
      chainLength = 1;
    }
    let x: number;
    let y = 0;
    let best: number;
    for (;;) {
      x = chain[chainLength - 1]!;
      if (chainLength > 1) {
        y = chain[chainLength - 2]!;
        best = d[condensedIndex(n, x, y)]!;
      } else best = Infinity;
      for (let i = 0; i < n; i++) {
        if (size[i] === 0 || i === x) continue;
        const dist = d[condensedIndex(n, x, i)]!;
        if (dist < best) {
          best = dist;
          y = i;
        }
      }
      if (chainLength > 1 && y === chain[chainLength - 2]) break;
      chain[chainLength++] = y;
    }
    chainLength -= 2;
    if (x > y) [x, y] = [y, x];
    const nx = size[x]!;
    const ny = size[y]!;
    merges.set([x, y, best, nx + ny], k * 4);
    size[x] = 0;
    size[y] = nx + ny;
    for (let i = 0; i < n; i++) {
      const ni = size[i]!;
      if (ni === 0 || i === y) continue;
      const iy = condensedIndex(n, i, y);
      d[iy] = wardUpdate(d[condensedIndex(n, i, x)]!, d[iy]!, best, nx, ny, ni);
    }
  }
  return { n, z: relabel(sortByHeight(merges), n) };
}

/** Merges ordered by height; equal heights keep their merge order (numpy's mergesort is stable). */
function sortByHeight(merges: Float64Array): Float64Array {
  const rows = merges.length / 4;
  const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => {
    const ha = merges[a * 4 + 2]!;
    const hb = merges[b * 4 + 2]!;
    // numpy sorts NaN last.
    if (Number.isNaN(ha) || Number.isNaN(hb)) return Number(Number.isNaN(ha)) - Number(Number.isNaN(hb));
    return ha - hb;
  });
  const sorted = new Float64Array(merges.length);
  order.forEach((from, to) => sorted.set(merges.subarray(from * 4, from * 4 + 4), to * 4));
  return sorted;
}

/**
 * The nearest-neighbour chain records merges by the surviving observation index; scipy's `label` renames them to
 * cluster ids (observation, or n + merge row) with a union-find, smaller root first, and recounts sizes.
 */
function relabel(z: Float64Array, n: number): Float64Array {
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const size = new Int32Array(2 * n - 1).fill(1);
  const find = (v: number): number => {
    let root = v;
    while (parent[root] !== root) root = parent[root]!;
    for (let p = v; p !== root; ) {
      const up = parent[p]!;
      parent[p] = root;
      p = up;
    }
    return root;
  };
  for (let i = 0; i < n - 1; i++) {
    const a = find(z[i * 4]!);
    const b = find(z[i * 4 + 1]!);
    const next = n + i;
    z[i * 4] = Math.min(a, b);
    z[i * 4 + 1] = Math.max(a, b);
    parent[a] = next;
    parent[b] = next;
    size[next] = size[a]! + size[b]!;
    z[i * 4 + 3] = size[next]!;
  }
  return z;
}
