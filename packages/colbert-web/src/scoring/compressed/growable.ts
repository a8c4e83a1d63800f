type Grown = Uint8Array | Uint32Array;

/**
 * `array` if it holds `needed` elements, else a copy with room for max(needed, 2 × length) (amortised O(1)
 * appends; the first `used` elements are kept).
 */
export function ensureCapacity<T extends Grown>(array: T, used: number, needed: number): T {
  if (needed <= array.length) return array;
  const grown = new (array.constructor as new (length: number) => T)(Math.max(needed, 2 * array.length, 16));
  grown.set(array.subarray(0, used));
  return grown;
}
