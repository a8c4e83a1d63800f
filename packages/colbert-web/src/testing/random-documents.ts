import type { StoreDocument } from '../store/add-input.js';
import { randomUnitRows, seededRandom } from './random-corpus.js';

export interface RandomDocumentsOptions {
  seed: number;
  count: number;
  dim: number;
  /** Tokens per document, uniform in [minTokens, maxTokens]. */
  minTokens?: number;
  maxTokens?: number;
  /** ids are `${idPrefix}${i + firstIndex}`. */
  idPrefix?: string;
  firstIndex?: number;
}

/**
 * Seeded documents shaped like the encoder's output (text, spans, ids, unit vectors) for store tests and
 * benchmarks: no model needed. Same seed → same documents, bit for bit.
 */
export function randomStoreDocuments(options: RandomDocumentsOptions): StoreDocument[] {
  const { seed, count, dim, minTokens = 8, maxTokens = 64, idPrefix = 'doc-', firstIndex = 0 } = options;
  const random = seededRandom(seed);
  const docs: StoreDocument[] = [];
  for (let i = 0; i < count; i++) {
    const rows = minTokens + Math.floor(random() * (maxTokens - minTokens + 1));
    const words = Array.from({ length: rows - 2 }, (_, w) => `w${(seed + i + w) % 997}`);
    const text = words.join(' ');
    const spans = new Int32Array(2 * rows).fill(-1);
    let at = 0;
    words.forEach((w, k) => {
      spans[2 * (k + 1)] = at;
      spans[2 * (k + 1) + 1] = at + w.length;
      at += w.length + 1;
    });
    const ids = Int32Array.from({ length: rows }, (_, r) => (r === 0 ? 101 : r === rows - 1 ? 102 : 1000 + ((i * 31 + r) % 5000)));
    const id = `${idPrefix}${firstIndex + i}`;
    docs.push({
      id,
      text,
      metadata: { n: firstIndex + i, even: (firstIndex + i) % 2 === 0 },
      encoded: { ids, spans, vectors: randomUnitRows(random, rows, dim, 4), rows, dim, truncated: i % 7 === 0 },
    });
  }
  return docs;
}
