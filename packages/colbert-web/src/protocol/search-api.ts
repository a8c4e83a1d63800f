import type { BackendInfo, BackendPreference, LoadOptions, ModelInfo, ModelSource } from './encoder-api.js';
import type { OperationOptions, ProgressEvent } from './progress.js';
import type { LongDocumentMode } from '../model/prepared.js';
import type { ScorerBackend } from '../scoring/scorer.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { SerializedColbertError } from '../errors.js';

/** A metadata scalar: what a filter matches (numbers finite). */
export type MetadataValue = string | number | boolean | null;
/**
 * A document's metadata: per key a scalar or an array of scalars, stored as JSON and returned as given. Anything
 * else (a nested object, a Date, a function) is rejected with INVALID_INPUT naming the field. Filters match scalar
 * values; an array value is stored and returned but matches no filter.
 */
export type Metadata = Readonly<Record<string, MetadataValue | readonly MetadataValue[]>>;

/**
 * Which documents a search may return: every key must match — equality with a scalar, or membership in an
 * array of scalars. `{ lang: 'en', year: [2020, 2021] }`.
 */
export type MetadataFilter = Readonly<Record<string, MetadataValue | readonly MetadataValue[]>>;

/** A document to index. `id` is yours and never changes; adding an existing id replaces that document. */
export interface DocumentInput {
  readonly id: string;
  readonly text: string;
  readonly metadata?: Metadata;
}

export interface AddOptions extends OperationOptions {
  /** Documents longer than the model's document length: 'split' (default here: nothing is lost) or 'truncate'. */
  longDocuments?: LongDocumentMode;
}

export interface SearchOptions {
  /** Results wanted (default 10). */
  k?: number;
  /** Per hit, which words each query token matched (for highlighting). Default false. */
  explain?: boolean;
  filter?: MetadataFilter;
  /**
   * Score every document in full (a compressed index decodes every token instead of pruning candidates): the
   * reference a pruned search is compared with. Default false; an index of vectors always scores everything.
   */
  exact?: boolean;
  /**
   * Which ranking: 'semantic' (default: the model's MaxSim over the stored vectors), 'keyword' (BM25 over the
   * stored text, Lucene's English analyzer; no query encoding) or 'hybrid' (both, each `max(k, 100)` deep, fused
   * by `fusion`). `filter` applies before either ranking. Keyword and hybrid hits say which ranking `found` them.
   */
  mode?: SearchMode;
  /** Hybrid only: 'rrf' (default: reciprocal rank fusion, k 60) or 'weighted' (min-max normalised scores). */
  fusion?: 'rrf' | 'weighted';
  /** Hybrid 'weighted' only: the semantic ranking's weight in [0, 1] (default 0.5; keyword gets the rest). */
  semanticWeight?: number;
  signal?: AbortSignal;
}

export type SearchMode = 'semantic' | 'keyword' | 'hybrid';

/** Which ranking found a hit of a keyword or hybrid search. */
export type Ranking = 'semantic' | 'keyword';

/** A word of a hit's text that matches a query term (after analysis: lowercased, stemmed, stop words dropped). */
export interface KeywordMatch {
  /** The analysed term the query and the word share. */
  readonly term: string;
  /** [start, end) UTF-16 offsets of the word in the hit's text. */
  readonly start: number;
  readonly end: number;
}

/** Candidates of `rerank`: the id of an indexed document, or a document in no index (encoded, not stored). */
export type RerankCandidate = string | DocumentInput;

export interface IndexRerankOptions {
  /** Hits wanted (default: every candidate). */
  k?: number;
  signal?: AbortSignal;
}

/**
 * What a query row is: a token of the query's text ('word'), a template token ([CLS], the query prefix, [SEP]:
 * 'special') or a [MASK] expansion row ('expansion'). Special and expansion rows still score, but their matches
 * are not words of the query: an app showing "which words matched" keeps `queryKind === 'word'`.
 */
export type QueryTokenKind = 'word' | 'special' | 'expansion';

/** One query token's best match in a hit: [start, end) UTF-16 offsets into the hit's text. */
export interface Match {
  /** The query token as the tokenizer spells it, and its position in the query's rows. */
  readonly queryToken: string;
  readonly queryIndex: number;
  readonly queryKind: QueryTokenKind;
  /**
   * Offsets of the matched document token in the document's text; -1, -1 for a special token ([CLS], [D]). In a
   * pooled index the matched row stands for several tokens: these are its first token's, `spans` has them all.
   */
  readonly start: number;
  readonly end: number;
  /** [start, end) of every token the matched row stands for, in document order (one entry without pooling). */
  readonly spans: ReadonlyArray<readonly [start: number, end: number]>;
  /** The matched document token as the tokenizer spells it (a pooled row: its tokens joined by spaces). */
  readonly documentToken: string;
  /** q·d of this pair: its share of the hit's score. */
  readonly score: number;
}

export interface Hit {
  readonly id: string;
  readonly score: number;
  readonly text: string | undefined;
  readonly metadata: Metadata | undefined;
  /** True when the document was longer than the model reads and was cut (longDocuments 'truncate'). */
  readonly truncated: boolean;
  /** Present when `explain` was asked: one per query token, in query order. */
  readonly matches?: readonly Match[];
  /** Keyword and hybrid searches: the rankings this hit is in (semantic first). Absent in a semantic search. */
  readonly found?: readonly Ranking[];
  /** Keyword and hybrid searches: the hit's 1-based rank and score in each ranking that found it. */
  readonly rankings?: { readonly semantic?: { readonly rank: number; readonly score: number }; readonly keyword?: { readonly rank: number; readonly score: number } };
  /** Hits the keyword ranking found: every word of the text that matches a query term, in text order. */
  readonly keywordMatches?: readonly KeywordMatch[];
}

/**
 * Every query row against every document row (q·d, as the scorer sees the stored vectors). A document row is a
 * token, or in a pooled index a cluster of tokens (a heatmap column per pooled row, labelled with its tokens).
 */
export interface TokenSimilarities {
  readonly queryTokens: readonly string[];
  readonly queryKinds: readonly QueryTokenKind[];
  /** One label per document row: its token, or a pooled row's tokens joined by spaces. */
  readonly documentTokens: readonly string[];
  /** [start, end) offsets of each document row's first token in the document's text, 2 per row (-1 for specials). */
  readonly documentSpans: Int32Array;
  /** Per document row, the tokens it stands for: their spelling and [start, end) offsets, in document order. */
  readonly documentRows: ReadonlyArray<{ readonly tokens: readonly string[]; readonly spans: ReadonlyArray<readonly [number, number]> }>;
  /** queryTokens.length × documentTokens.length, row-major. */
  readonly values: Float32Array;
}

export interface SearchInfo {
  /** Where the encoder runs, as onnxruntime-web reported it. */
  readonly encoder: BackendInfo;
  /** Where scoring runs. */
  readonly scorer: ScorerBackend;
  /**
   * Searches scored since this index was opened, by where the query vectors went: `gpu` stayed on the device from
   * the encoder to the WebGPU scorer (nothing read back); `cpu` were read back and scored from the CPU.
   */
  readonly queryVectors: { readonly cpu: number; readonly gpu: number };
  readonly model: ModelInfo;
  readonly index: string;
  readonly precision: StoredPrecision;
  /** Token pooling factor of the index's documents (1: none). */
  readonly poolFactor: number;
  readonly documents: number;
  /** Stored rows of the live documents (pooled rows in a pooled index). */
  readonly tokens: number;
  /** Bytes this index takes in IndexedDB. */
  readonly bytes: number;
  /** Residual bits of a compressing index (the `nbits` it was created with); null: never compressed. */
  readonly nbits: number | null;
  /** Fine centroids of its trained tables (0 until the index crossed the threshold and trained). */
  readonly centroids: number;
  /**
   * Vector bytes per stored row: values and scales, or codes and residuals, plus the shared tables (centroids,
   * cutoffs, weights), divided by the rows.
   */
  readonly bytesPerToken: number;
  /**
   * How the last search went: `pruned` when a compressed search scored only its candidates, `candidates` the
   * documents it considered (every live one otherwise), `scored` those scored in full. null before the first.
   */
  readonly lastSearch: { readonly pruned: boolean; readonly candidates: number; readonly scored: number } | null;
  /**
   * What runs compressed searches, null until trained: `webgpu` (the WGSL kernels on the WebGPU scorer's device)
   * while the scorer is the WebGPU one; otherwise, and after a device loss, the WebAssembly SIMD kernels, or
   * TypeScript where SIMD is missing.
   */
  readonly compressedScorer: 'webgpu' | 'wasm-simd' | 'typescript' | null;
  /**
   * The keyword (BM25) index keyword and hybrid searches use: documents it holds and the bytes of its in-memory
   * postings. It is derived from the stored text as the index loads (nothing of it is in IndexedDB).
   */
  readonly keyword: { readonly documents: number; readonly bytes: number };
  /**
   * The manifest generation searches cover (every tab's commits up to it), and why catching up with later ones
   * failed, if it did (searches then reject with the same error until it succeeds).
   */
  readonly sync: { readonly generation: number; readonly error?: SerializedColbertError };
  /** Where the engine runs: one SharedWorker for every tab of this origin, or a dedicated worker per handle. */
  readonly worker: WorkerInfo;
}

export interface WorkerInfo {
  readonly kind: 'shared' | 'dedicated';
  /**
   * Why a shared worker was not used: none in this browser, it failed to start, or ('auto') the page is
   * cross-origin isolated and a dedicated worker keeps WASM threads.
   */
  readonly fallback?: 'unavailable' | 'failed-to-start' | 'cross-origin-isolated';
  /** Handles (tabs, for a shared worker) served by this engine now. */
  readonly clients: number;
  /** Whether the worker is cross-origin isolated (WASM threads need it; a SharedWorker may not be when its page is). */
  readonly crossOriginIsolated: boolean;
}

export interface OpenSearchOptions extends Omit<LoadOptions, 'backend'> {
  /** The model: a base URL of a PyLate checkpoint, or its files. */
  model: ModelSource;
  /** The IndexedDB index to open or create (default 'default'). One worker per index. */
  index?: string;
  /** 'auto' (default), 'webgpu' or 'wasm': where encoding and scoring run. */
  backend?: BackendPreference;
  /** Stored precision of a new index (default 'int8'); an existing index keeps its own. */
  precision?: StoredPrecision;
  /**
   * Token pooling of a new index (integer ≥ 1, default 1: none): every document is stored as [CLS] plus about
   * 1/poolFactor of its token vectors (PyLate's pool_factor; 2 halves the index). An existing index keeps its own,
   * and asking for another one is INDEX_MODEL_MISMATCH naming both; `info().poolFactor` says which it has.
   */
  poolFactor?: number;
  /**
   * Compression of a new index: 2 or 4 bits per dimension of each token's residual against its centroid (PLAID /
   * ColBERTv2). Unset (default): token vectors stored as `precision`, scanned exactly, forever. Set: the index
   * stays exact while small and, once it holds `compressAt` tokens, trains centroids in the background (searches
   * keep running) and codes every segment, oldest first; later adds are coded with the same centroids. Anything
   * but 2 or 4 is INVALID_INPUT; an index created with other nbits is INDEX_MODEL_MISMATCH naming both.
   */
  nbits?: 2 | 4;
  /** Stored rows at which an `nbits` index starts compressing (default 262,144; see docs/compressed-index.md, "Threshold"). */
  compressAt?: number;
  /**
   * Where the engine runs. 'shared': one SharedWorker serves every tab of this origin (one model load, one
   * in-memory index per index name). 'dedicated': a worker of this handle's own (tabs still see each other's
   * commits). 'auto' (default): shared, except on a cross-origin-isolated page — browsers do not isolate
   * SharedWorkers, so there it would lose WASM threads — where it is dedicated. Where SharedWorker is missing or fails
   * to start, dedicated. `info().worker` says which runs and why.
   */
  worker?: 'auto' | 'shared' | 'dedicated';
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * The search handle. The in-worker engine and the main-thread proxy implement this one interface.
 *
 * @example
 * const search = await createSearch({ model: '/models/lexical' });
 * await search.add([{ id: 'a', text: 'Aspirin lowers the risk of heart attack.' }]);
 * const [hit] = await search.search('heart attack', { explain: true });
 */
export interface SearchApi {
  add(documents: readonly DocumentInput[], options?: AddOptions): Promise<void>;
  search(query: string, options?: SearchOptions): Promise<Hit[]>;
  /** The full query × document token similarity matrix of one indexed document (for a heatmap). */
  similarities(query: string, id: string): Promise<TokenSimilarities>;
  /**
   * Orders candidates by MaxSim, best first, each with its matches: ids of indexed documents are scored from their
   * stored vectors (the scores `search` gives them), `{ id, text }` documents in no index are encoded on the fly
   * (truncated at the model's document length) and nothing is stored. An unknown id is INVALID_INPUT naming it.
   */
  rerank(query: string, candidates: readonly RerankCandidate[], options?: IndexRerankOptions): Promise<Hit[]>;
  remove(ids: readonly string[]): Promise<void>;
  clear(): Promise<void>;
  /**
   * Frees the space of removed and replaced documents by rewriting segments (resumable, one commit per step).
   * Searches keep running meanwhile; ids and sequence numbers do not change.
   */
  compact(options?: OperationOptions): Promise<{ documentsPurged: number }>;
  /** The whole index as one portable file. */
  export(): Promise<Blob>;
  /** Replaces this index with a portable index file (URL or Blob) built with the same model. */
  import(source: string | Blob, options?: OperationOptions): Promise<void>;
  info(): Promise<SearchInfo>;
  close(): Promise<void>;
}
