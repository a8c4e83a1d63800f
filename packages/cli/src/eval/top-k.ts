import type { EvalDocument, ScoredDocument } from './ranker.js';

/**
 * The `k` best documents from one score per corpus document, best first. Equal scores keep corpus order
 * (lower index first), which is how the SDK's scorers break ties (lower sequence number first), so a
 * reference scorer and the model path cut the list at the same place.
 *
 * @example
 * topK(Float64Array.of(1, 3, 3), docs, 2); // [{ docId: docs[1].id, score: 3 }, { docId: docs[2].id, score: 3 }]
 */
export function topK(scores: Float64Array, documents: readonly EvalDocument[], k: number): ScoredDocument[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  // A full sort of a few thousand indices is cheap next to scoring; a heap only pays off for far larger corpora.
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, k).map((i) => ({ docId: documents[i]!.id, score: scores[i]! }));
}
