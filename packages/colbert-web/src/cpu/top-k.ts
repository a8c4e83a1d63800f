/**
 * The k best documents among those whose mask byte is set, by score descending then index ascending (the index
 * order is sequence-number order). A bounded binary heap whose root is the worst kept entry: O(n log k).
 *
 * @example
 * const best = topK(scores, mask, 3, 10); // indices of the 3 best of the first 10 documents
 */
export function topK(scores: Float32Array, mask: Uint8Array, k: number, count: number): number[] {
  if (k <= 0) return [];
  const heap: number[] = [];
  /** a ranks below b. */
  const worse = (a: number, b: number): boolean => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  for (let doc = 0; doc < count; doc++) {
    if (!mask[doc]) continue;
    if (heap.length < k) {
      heap.push(doc);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (worse(heap[0]!, doc)) {
      heap[0] = doc;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && worse(heap[left]!, heap[least]!)) least = left;
        if (right < heap.length && worse(heap[right]!, heap[least]!)) least = right;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least]!, heap[i]!];
        i = least;
      }
    }
  }
  return heap.sort((a, b) => scores[b]! - scores[a]! || a - b);
}
