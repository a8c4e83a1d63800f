import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import { seededRandom } from './random-corpus.js';

export interface ClusteredCorpusOptions {
  seed: number;
  dim: number;
  /** Token count of each document. */
  lengths: readonly number[];
  /** Distinct "word" directions (default 4,096). */
  words?: number;
  /** Words of one topic's vocabulary; a document draws its tokens from one topic (default 64). */
  topicWords?: number;
  /** Noise added to a word's direction before normalising, per dimension (default 0.05). */
  noise?: number;
  queries?: number;
  queryTokens?: number;
}

export interface ClusteredCorpus {
  dim: number;
  vectors: Float32Array;
  lengths: Uint32Array;
  seqs: Uint32Array;
  /** Each built from the words of one document (and unit noise), so it has relevant documents. */
  queries: F32TokenMatrix[];
}

/**
 * Seeded token vectors with the structure compressed search relies on: tokens are noisy copies of a finite set of
 * word directions, documents draw their words from a topic, queries reuse a document's words. Only integer
 * arithmetic, + − × ÷ and square roots, so every JavaScript engine builds the same bits (the browser
 * determinism check trains on it). Test and benchmark data, never used by the SDK.
 */
export function clusteredCorpus(options: ClusteredCorpusOptions): ClusteredCorpus {
  const { seed, dim, lengths, words = 4096, topicWords = 64, noise = 0.05, queries = 0, queryTokens = 32 } = options;
  const random = seededRandom(seed);
  // Irwin–Hall(4) − 2, scaled: a bell-shaped noise without transcendental functions.
  const gaussian = (): number => (random() + random() + random() + random() - 2) * Math.sqrt(3);
  const unit = (out: Float32Array, at: number, make: (i: number) => number): void => {
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      const x = make(i);
      out[at + i] = x;
      norm += x * x;
    }
    const inverse = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) out[at + i] = out[at + i]! * inverse;
  };
  const wordVectors = new Float32Array(words * dim);
  for (let w = 0; w < words; w++) unit(wordVectors, w * dim, () => gaussian());
  const topics = Math.max(1, Math.floor(words / topicWords));
  const pickWord = (topic: number): number => (topic * topicWords + Math.floor(random() * topicWords)) % words;
  const noisy = (out: Float32Array, at: number, word: number): void => unit(out, at, (i) => wordVectors[word * dim + i]! + noise * gaussian());

  const total = lengths.reduce((a, b) => a + b, 0);
  const vectors = new Float32Array(total * dim);
  const documentWords: number[][] = [];
  let row = 0;
  for (const length of lengths) {
    const topic = Math.floor(random() * topics);
    const used: number[] = [];
    for (let t = 0; t < length; t++, row++) {
      const word = pickWord(topic);
      used.push(word);
      noisy(vectors, row * dim, word);
    }
    documentWords.push(used);
  }
  const queryList: F32TokenMatrix[] = [];
  for (let q = 0; q < queries; q++) {
    const source = documentWords[Math.floor(random() * documentWords.length)]!;
    const values = new Float32Array(queryTokens * dim);
    for (let t = 0; t < queryTokens; t++) noisy(values, t * dim, source[Math.floor(random() * source.length)]!);
    queryList.push({ precision: 'f32', dim, rows: queryTokens, values });
  }
  return { dim, vectors, lengths: Uint32Array.from(lengths), seqs: Uint32Array.from(lengths, (_, i) => i), queries: queryList };
}
