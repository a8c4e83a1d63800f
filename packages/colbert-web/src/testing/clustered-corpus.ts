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
  const { seed, dim, lengths, queries = 0, queryTokens = 32 } = options;
  const random = seededRandom(seed);
  const vocabulary = clusteredVocabulary(options, random);
  const total = lengths.reduce((a, b) => a + b, 0);
  const vectors = new Float32Array(total * dim);
  const documentWords = vocabulary.documents(lengths, vectors, random);
  const queryList: F32TokenMatrix[] = [];
  for (let q = 0; q < queries; q++) queryList.push(vocabulary.query(documentWords[Math.floor(random() * documentWords.length)]!, queryTokens, random));
  return { dim, vectors, lengths: Uint32Array.from(lengths), seqs: Uint32Array.from(lengths, (_, i) => i), queries: queryList };
}

/** The word directions and topics of a clustered corpus, and how documents and queries are drawn from them. */
interface ClusteredVocabulary {
  /** Fills `vectors` with documents of `lengths` tokens drawn with `random`; each document's words. */
  documents(lengths: readonly number[] | Uint32Array, vectors: Float32Array, random: () => number): number[][];
  /** A query of `tokens` noisy copies of words of a document (`words`). */
  query(words: readonly number[], tokens: number, random: () => number): F32TokenMatrix;
}

/**
 * @param uniformNoise token noise from one uniform draw per dimension (unit variance, as the bell-shaped one)
 *   instead of four: what makes 10M tokens in a worker affordable
 */
function clusteredVocabulary(options: ClusteredCorpusOptions, random: () => number, uniformNoise = false): ClusteredVocabulary {
  const { dim, words = 4096, topicWords = 64, noise = 0.05 } = options;
  // Irwin–Hall(4) − 2, scaled: a bell-shaped noise without transcendental functions.
  const gaussian = (r: () => number): number => (r() + r() + r() + r() - 2) * Math.sqrt(3);
  const uniform = (r: () => number): number => (r() - 0.5) * Math.sqrt(12);
  const tokenNoise = uniformNoise ? uniform : gaussian;
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
  for (let w = 0; w < words; w++) unit(wordVectors, w * dim, () => gaussian(random));
  const topics = Math.max(1, Math.floor(words / topicWords));
  const noisy = (out: Float32Array, at: number, word: number, r: () => number): void => unit(out, at, (i) => wordVectors[word * dim + i]! + noise * tokenNoise(r));
  return {
    documents(lengths, vectors, r) {
      const documentWords: number[][] = [];
      let row = 0;
      for (const length of lengths) {
        const topic = Math.floor(r() * topics);
        const used: number[] = [];
        for (let t = 0; t < length; t++, row++) {
          const word = (topic * topicWords + Math.floor(r() * topicWords)) % words;
          used.push(word);
          noisy(vectors, row * dim, word, r);
        }
        documentWords.push(used);
      }
      return documentWords;
    },
    query(source, tokens, r) {
      const values = new Float32Array(tokens * dim);
      for (let t = 0; t < tokens; t++) noisy(values, t * dim, source[Math.floor(r() * source.length)]!, r);
      return { precision: 'f32', dim, rows: tokens, values };
    },
  };
}

/** One chunk of a `clusteredCorpusStream`: its documents' rows, lengths, sequence numbers and words. */
export interface ClusteredChunk {
  vectors: Float32Array;
  lengths: Uint32Array;
  seqs: Uint32Array;
  /** Its first row in the whole corpus. */
  firstRow: number;
  words: number[][];
}

/** A clustered corpus made chunk by chunk (see `clusteredCorpusStream`). */
export interface ClusteredStream {
  dim: number;
  tokens: number;
  chunks: number;
  /** Chunk `i` (0 ≤ i < chunks), made afresh on every call. */
  chunk(i: number): ClusteredChunk;
  /** Query `q` from a document's words, seeded by (seed, q). */
  query(words: readonly number[], q: number): F32TokenMatrix;
}

/**
 * A clustered corpus too large to hold as float32 (10M tokens at d = 128 is 5 GB), made chunk by chunk: the same
 * word directions and topics throughout (drawn from `seed`), chunk i's documents (`chunkDocuments` of `lengths`
 * each) from a generator of its own seeded by (seed, i), so any chunk can be made again, alone, with the same bits.
 * Not the same corpus as `clusteredCorpus` with these options: its documents share one generator, and the token
 * noise here is uniform (one draw per dimension instead of four, the same variance) to make 10M tokens in a
 * browser worker on 2 cores affordable; the word directions are the same bell-shaped draws.
 *
 * @example
 * const stream = clusteredCorpusStream({ seed: 1, dim: 128, lengths, words: 32_768 }, 2000);
 * for (let i = 0; i < stream.chunks; i++) scorer.append(stream.chunk(i));
 */
export function clusteredCorpusStream(options: Omit<ClusteredCorpusOptions, 'queries'>, chunkDocuments: number): ClusteredStream {
  const { seed, dim, lengths, queryTokens = 32 } = options;
  const vocabulary = clusteredVocabulary(options, seededRandom(seed), true);
  const starts = [0];
  for (let d = 0; d < lengths.length; d += chunkDocuments) starts.push(starts[starts.length - 1]! + lengths.slice(d, d + chunkDocuments).reduce((a, b) => a + b, 0));
  return {
    dim,
    tokens: starts[starts.length - 1]!,
    chunks: starts.length - 1,
    chunk(i) {
      const first = i * chunkDocuments;
      const chunkLengths = Uint32Array.from(lengths.slice(first, first + chunkDocuments));
      const vectors = new Float32Array((starts[i + 1]! - starts[i]!) * dim);
      const words = vocabulary.documents(chunkLengths, vectors, seededRandom(seed * 1_000_003 + i + 1));
      return { vectors, lengths: chunkLengths, seqs: Uint32Array.from(chunkLengths, (_, j) => first + j), firstRow: starts[i]!, words };
    },
    query(words, q) {
      return vocabulary.query(words, queryTokens, seededRandom(seed * 7919 + 104_729 + q));
    },
  };
}
