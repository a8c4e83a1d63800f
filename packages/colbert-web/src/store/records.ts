/**
 * What the store keeps, record by record: the manifest, segments and documents. Plain types with no IndexedDB in
 * them, so the file format, the CLI and the Node entry use them without DOM types; schema.ts lays them out in
 * IndexedDB.
 */
import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { ModelIdentity } from './model-identity.js';

/** One committed segment as the manifest lists it (what stats() and documents() need without reading it). */
export interface SegmentEntry {
  readonly id: number;
  readonly documents: number;
  readonly tokens: number;
  /** First and last sequence number in the segment (seqs inside are strictly increasing). */
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** Bytes of token values + per-token scales + lengths + seqs. */
  readonly vectorBytes: number;
  /** Bytes of per-token spans + token ids. */
  readonly spanBytes: number;
  /** Bytes of ids, texts and metadata (UTF-8). */
  readonly recordBytes: number;
  /**
   * Compressed segments only: the id of the centroid/codec tables its codes and residuals use (a `tables` record).
   * Absent: the segment holds vectors in the manifest's precision, as every segment did before compression.
   */
  readonly tables?: number;
}

/**
 * The compression state of an index (absent: never trained). Segments whose `tables` is `tables` are coded;
 * the others (recent adds, or everything before the first training) wait for `convertIndex` to code them, always
 * oldest first, so the coded segments of one table are a run of sequence numbers below the uncoded ones.
 */
export interface CompressionState {
  /** The current tables record. */
  readonly tables: number;
  readonly nbits: 2 | 4;
  /** Fine centroids of the current tables. */
  readonly centroids: number;
  /** Live token rows the current tables were trained on (the re-training policy compares against it). */
  readonly trainedTokens: number;
  /** Bytes of the shared tables (centroids, coarse cells, cutoffs, weights). */
  readonly tableBytes: number;
}

/**
 * The single source of truth for what is visible. Segments and document records not reachable from it are
 * leftovers of an interrupted write and are deleted on open.
 */
export interface Manifest {
  readonly identity: ModelIdentity;
  readonly precision: StoredPrecision;
  /** Token pooling factor of every document in the index (PyLate's pool_factor); absent in indexes without pooling. */
  readonly poolFactor?: number;
  /** Residual bits of a compressing index (set at creation); absent: never compressed, as before compression. */
  readonly nbits?: 2 | 4;
  /** Trained tables and the coding state; absent until the index first crosses the compression threshold. */
  readonly compression?: CompressionState;
  /** Increments on every commit; other tabs compare it to know what they have. */
  readonly generation: number;
  /** Next sequence number to assign: never decreases, so seqs are never reused (also across clear()). */
  readonly nextSeq: number;
  readonly nextSegment: number;
  /** Committed segments in sequence-number order. */
  readonly segments: readonly SegmentEntry[];
  /** Removed or replaced documents still inside a segment (until compaction), sorted ascending. */
  readonly tombstones: Uint32Array;
  /** Token rows of the tombstoned documents (so stats need no segment reads). */
  readonly tombstonedTokens: number;
}

/** Packed vectors of one segment: every document's token rows back to back. */
export interface SegmentRecord {
  readonly id: number;
  readonly precision: StoredPrecision;
  readonly dim: number;
  readonly lengths: Uint32Array;
  readonly seqs: Uint32Array;
  readonly values: Int8Array | Uint16Array | Float32Array;
  /** int8 only: one float32 scale per token. */
  readonly scales: Float32Array | null;
  /** CRC-32 over lengths, seqs, values, scales in that order. */
  readonly crc: number;
}

/** A compressed segment: per token a centroid code and a packed residual (docs/compressed-index.md). */
export interface CodedSegmentRecord {
  readonly id: number;
  readonly kind: 'coded';
  /** The tables record its codes name. */
  readonly tables: number;
  readonly dim: number;
  readonly nbits: number;
  readonly lengths: Uint32Array;
  readonly seqs: Uint32Array;
  readonly codes: Uint32Array;
  readonly residuals: Uint8Array;
  /** CRC-32 over lengths, seqs, codes, residuals in that order. */
  readonly crc: number;
}

/** What the segments store holds: vectors, or codes and residuals. */
export type StoredSegment = SegmentRecord | CodedSegmentRecord;

/** The shared tables of a compressed index: two-level centroids and the residual codec. */
export interface TablesRecord {
  readonly id: number;
  readonly dim: number;
  readonly nbits: number;
  readonly coarse: Float32Array;
  readonly coarseStart: Uint32Array;
  readonly centroids: Float32Array;
  readonly cutoffs: Float32Array;
  readonly weights: Float32Array;
  /** CRC-32 over coarse, coarseStart, centroids, cutoffs, weights in that order. */
  readonly crc: number;
}

/** One document: everything a hit needs except its vectors. */
export interface DocumentRecord {
  readonly seq: number;
  readonly id: string;
  readonly text: string | null;
  /** Metadata as JSON text (checked serialisable at the boundary; checksummed as stored). */
  readonly metadata: string | null;
  readonly truncated: boolean;
  readonly tokens: number;
  /** [start, end) UTF-16 offsets per token, 2 per token; -1, -1 for special tokens. */
  readonly spans: Int32Array;
  /** Tokenizer ids per token (to name the matched token in explanations). */
  readonly tokenIds: Int32Array;
  /** Pooled indexes only: per token, the document row (pooled vector) it is part of. */
  readonly tokenRows?: Int32Array;
  /** CRC-32 over the fields above (see document-record.ts). */
  readonly crc: number;
}
