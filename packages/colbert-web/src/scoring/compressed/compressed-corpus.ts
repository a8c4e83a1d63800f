import { ColbertError, ErrorCode } from '../../errors.js';
import { assertFiniteVectors } from '../token-matrix.js';
import { assignCentroids } from './assign-centroid.js';
import { validateCodedRows, validateSharedTables, validateTables, type CompressedTables } from './compressed-tables.js';
import { ensureCapacity } from './growable.js';
import { InvertedLists } from './inverted-lists.js';
import { encodeResidual, residualBytes, type ResidualCodec } from './residual-codec.js';
import { sortedPosition } from '../sorted-position.js';
import type { CentroidTable } from './train-centroids.js';

/** Documents to append: float32 token rows back to back, the token count and sequence number of each. */
export interface CompressedBatch {
  vectors: Float32Array;
  lengths: Uint32Array;
  seqs: Uint32Array;
}

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject}: ${message}`, { subject });
}

/**
 * A growing corpus of residual-coded tokens over fixed centroids: appends assign tokens to the existing
 * centroids (no re-training) and extend the inverted lists; removes tombstone; `compact()` drops tombstoned
 * documents. Documents are addressed by position (append order) inside, by sequence number outside.
 *
 * @example
 * const corpus = CompressedCorpus.create(centroids, codec);
 * corpus.append({ vectors, lengths: Uint32Array.of(3, 5), seqs: Uint32Array.of(0, 1) });
 */
export class CompressedCorpus {
  readonly dim: number;
  readonly nbits: number;
  readonly residualBytes: number;
  private seqList = new Uint32Array(0);
  private starts = Uint32Array.of(0);
  private codeList = new Uint32Array(0);
  private residualList = new Uint8Array(0);
  private liveMask = new Uint8Array(0);
  private count = 0;
  private live = 0;
  private lists: InvertedLists;

  private constructor(
    readonly table: CentroidTable,
    readonly codec: ResidualCodec,
  ) {
    this.dim = table.dim;
    this.nbits = codec.nbits;
    this.residualBytes = residualBytes(this.dim, this.nbits);
    this.lists = new InvertedLists(this.centroidCount);
  }

  /** An empty corpus coded with `table` and `codec`. */
  static create(table: CentroidTable, codec: ResidualCodec): CompressedCorpus {
    validateSharedTables(table, codec);
    return new CompressedCorpus(table, codec);
  }

  /** Opens persisted tables; every table is bounds-checked first (INDEX_CORRUPT naming the table). */
  static open(tables: CompressedTables): CompressedCorpus {
    validateTables(tables);
    const corpus = new CompressedCorpus(tables.centroids, tables.codec);
    corpus.load(tables.seqs, tables.tokenStart, tables.codes, tables.residuals);
    corpus.remove(tables.removed);
    return corpus;
  }

  get centroidCount(): number {
    return this.table.centroids.length / this.dim;
  }
  /** Documents held, tombstoned ones included until `compact()`. */
  get size(): number {
    return this.count;
  }
  /** Live documents. */
  get documents(): number {
    return this.live;
  }
  get tokens(): number {
    return this.starts[this.count]!;
  }
  get seqs(): Uint32Array {
    return this.seqList.subarray(0, this.count);
  }
  /** size + 1 token offsets. */
  get tokenStart(): Uint32Array {
    return this.starts.subarray(0, this.count + 1);
  }
  get codes(): Uint32Array {
    return this.codeList.subarray(0, this.tokens);
  }
  get residuals(): Uint8Array {
    return this.residualList.subarray(0, this.tokens * this.residualBytes);
  }
  /** 1 per live document position. */
  get liveDocuments(): Uint8Array {
    return this.liveMask.subarray(0, this.count);
  }
  /** The documents with a token coded by `centroid` (positions, ascending). */
  cell(centroid: number): Uint32Array {
    return this.lists.cell(centroid);
  }

  /**
   * Bytes of what searching holds: codes, residuals, per-document offsets and sequence numbers, inverted
   * lists and the shared tables (centroids, coarse cells, cutoffs, weights).
   */
  get bytes(): number {
    const shared = this.table.centroids.byteLength + this.table.coarse.byteLength + this.table.coarseStart.byteLength + this.codec.cutoffs.byteLength + this.codec.weights.byteLength;
    return this.tokens * (4 + this.residualBytes) + this.count * 9 + 4 + this.lists.bytes + shared;
  }

  /** Position of a sequence number, or −1 (binary search: sequence numbers increase with position). */
  positionOf(seq: number): number {
    return sortedPosition(this.seqList, this.count, seq);
  }

  /**
   * Codes and appends documents: their tokens are assigned to the existing centroids, unless `codes` gives the
   * assignment already (`assignCentroids` on these centroids, e.g. shared by corpora of different nbits).
   */
  append(batch: CompressedBatch, codes?: Uint32Array): void {
    const { vectors, lengths, seqs } = batch;
    assertFiniteVectors(vectors, this.dim, 'vectors');
    if (lengths.length !== seqs.length) throw invalid('lengths', `${lengths.length} lengths for ${seqs.length} sequence numbers.`);
    let rows = 0;
    for (const [i, length] of lengths.entries()) {
      if (length < 1) throw invalid(`lengths[${i}]`, 'a document has at least one token.');
      const previous = i === 0 ? (this.count === 0 ? -1 : this.seqList[this.count - 1]!) : seqs[i - 1]!;
      if (seqs[i]! <= previous) throw invalid(`seqs[${i}]`, `sequence numbers must increase (${seqs[i]} after ${previous}).`);
      rows += length;
    }
    if (rows * this.dim !== vectors.length) throw invalid('vectors', `${vectors.length / this.dim} rows for lengths summing to ${rows}.`);
    if (codes && (codes.length !== rows || codes.some((c) => c >= this.centroidCount))) throw invalid('codes', `expected ${rows} centroid ids below ${this.centroidCount}.`);
    const assigned = codes ?? assignCentroids(this.table, vectors);
    const residuals = new Uint8Array(rows * this.residualBytes);
    for (let t = 0; t < rows; t++) encodeResidual(this.codec, vectors, t, this.table.centroids, assigned[t]!, residuals, t * this.residualBytes);
    const starts = new Uint32Array(lengths.length + 1);
    for (const [i, length] of lengths.entries()) starts[i + 1] = starts[i]! + length;
    this.load(seqs, starts, assigned, residuals);
  }

  /**
   * Appends documents coded already with these tables (a stored compressed segment): `tokenStart` from 0, sequence
   * numbers above every held one. Every code and offset is bounds-checked first (INDEX_CORRUPT naming the table).
   */
  appendCoded(rows: Pick<CompressedTables, 'seqs' | 'tokenStart' | 'codes' | 'residuals'>): void {
    validateCodedRows({ centroids: this.centroidCount, residualBytes: this.residualBytes }, rows);
    const last = this.count === 0 ? -1 : this.seqList[this.count - 1]!;
    if (rows.seqs.length > 0 && rows.seqs[0]! <= last) throw invalid('seqs', `sequence numbers must increase (${rows.seqs[0]} after ${last}).`);
    this.load(rows.seqs, rows.tokenStart, rows.codes, rows.residuals);
  }

  /** Tombstones documents by sequence number; unknown ones are ignored. */
  remove(seqs: ArrayLike<number>): void {
    for (let i = 0; i < seqs.length; i++) {
      const at = this.positionOf(seqs[i]!);
      if (at < 0 || this.liveMask[at] === 0) continue;
      this.liveMask[at] = 0;
      this.live--;
    }
  }

  /** A corpus holding only the live documents, same centroids and codec, same sequence numbers. */
  compact(): CompressedCorpus {
    const kept = new CompressedCorpus(this.table, this.codec);
    const bytes = this.residualBytes;
    for (let d = 0; d < this.count; d++) {
      if (this.liveMask[d] === 0) continue;
      const from = this.starts[d]!;
      const to = this.starts[d + 1]!;
      kept.load(this.seqList.subarray(d, d + 1), Uint32Array.of(0, to - from), this.codeList.subarray(from, to), this.residualList.subarray(from * bytes, to * bytes));
    }
    return kept;
  }

  /** The persisted form (copies, trimmed to size). */
  tables(): CompressedTables {
    const removed: number[] = [];
    for (let d = 0; d < this.count; d++) if (this.liveMask[d] === 0) removed.push(this.seqList[d]!);
    return {
      centroids: this.table,
      codec: this.codec,
      seqs: this.seqs.slice(),
      tokenStart: this.tokenStart.slice(),
      codes: this.codes.slice(),
      residuals: this.residuals.slice(),
      removed: Uint32Array.from(removed),
    };
  }

  /** Appends already-coded documents (`starts` relative to the batch, from 0). */
  private load(seqs: Uint32Array, starts: Uint32Array, codes: Uint32Array, residuals: Uint8Array): void {
    const documents = seqs.length;
    const base = this.tokens;
    const tokens = base + codes.length;
    this.seqList = ensureCapacity(this.seqList, this.count, this.count + documents);
    this.liveMask = ensureCapacity(this.liveMask, this.count, this.count + documents);
    this.starts = ensureCapacity(this.starts, this.count + 1, this.count + documents + 1);
    this.codeList = ensureCapacity(this.codeList, base, tokens);
    this.residualList = ensureCapacity(this.residualList, base * this.residualBytes, tokens * this.residualBytes);
    this.codeList.set(codes, base);
    this.residualList.set(residuals, base * this.residualBytes);
    for (let i = 0; i < documents; i++) {
      const doc = this.count + i;
      this.seqList[doc] = seqs[i]!;
      this.liveMask[doc] = 1;
      this.starts[doc + 1] = base + starts[i + 1]!;
      for (let t = starts[i]!; t < starts[i + 1]!; t++) this.lists.add(codes[t]!, doc);
    }
    this.count += documents;
    this.live += documents;
  }
}
