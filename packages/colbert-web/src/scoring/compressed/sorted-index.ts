/**
 * Index of `value` among the first `count` entries of ascending `sorted`, or −1 (binary search): a document's
 * position from its sequence number, which increases with the position.
 */
export function indexOfSorted(sorted: Uint32Array, count: number, value: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = sorted[mid]!;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
