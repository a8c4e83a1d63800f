import type { F32TokenMatrix, StoredPrecision, TokenMatrix } from './token-matrix.js';

/**
 * Documents to append to a scorer: their token rows back to back (no padding), the token count of each, and
 * each one's sequence number. Sequence numbers are assigned by the store, never reused, and survive
 * compaction; they break score ties (lower first) and are what search results name.
 */
export interface DocumentBatch {
  tokens: TokenMatrix;
  /** Token count per document, in order; sums to `tokens.rows`. A document has at least one token. */
  lengths: Uint32Array;
  /** Sequence number per document, in order; strictly increasing across all appends. */
  seqs: Uint32Array;
}

export interface ScoreOptions {
  /** How many documents to return (0 returns none; more than the live documents returns them all). */
  k: number;
  /** Also say, for each returned document, which document token each query token matched. */
  explain?: boolean;
  /**
   * Only these documents (sequence numbers) may be returned: a metadata filter, applied through the live mask
   * before top-k, never after.
   */
  only?: Uint32Array;
  signal?: AbortSignal;
}

/** One query token's best match in a document: the document token (index within the document) and q·d. */
export interface TokenMatch {
  queryToken: number;
  documentToken: number;
  score: number;
}

/** score = Σ over query tokens of the best q·d over the document's tokens (MaxSim). */
export interface ScoredDocument {
  seq: number;
  score: number;
  /** Present when `explain` was asked: one entry per query token, in query-token order. */
  matches?: TokenMatch[];
}

export type ScorerBackend = 'webgpu' | 'wasm-relaxed-simd' | 'wasm-simd';

/**
 * A MaxSim scorer over a growing corpus held in its own memory (GPU buffers or WebAssembly memory).
 * Results are ordered by score (descending), then sequence number (ascending).
 */
export interface Scorer {
  readonly backend: ScorerBackend;
  readonly dim: number;
  readonly precision: StoredPrecision;
  /** Live documents (appended and not removed). */
  readonly documents: number;
  /** Token rows held, removed documents included until `compact()`. */
  readonly tokens: number;
  /** Appends documents; their vectors must be in this scorer's precision and dim. */
  append(batch: DocumentBatch): Promise<void>;
  /** Tombstones documents: they are never returned again. Unknown sequence numbers are ignored. */
  remove(seqs: ArrayLike<number>): void;
  /** Drops removed documents' rows; sequence numbers and results are unchanged. */
  compact(): Promise<void>;
  /** The top `k` documents for a query (float32 query token rows). */
  score(query: F32TokenMatrix, options: ScoreOptions): Promise<ScoredDocument[]>;
  dispose(): void;
}

/** The ranking order every scorer returns: score descending, then sequence number ascending. */
export function compareScored(a: { score: number; seq: number }, b: { score: number; seq: number }): number {
  return b.score - a.score || a.seq - b.seq;
}
