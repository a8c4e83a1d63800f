/**
 * Index of `value` among the first `count` elements of an ascending array (the scorers' sequence numbers), or −1.
 *
 * @example
 * sortedPosition(Uint32Array.of(3, 8, 9), 3, 8); // 1
 */
export function sortedPosition(sorted: Uint32Array, count: number, value: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = sorted[mid]!;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
