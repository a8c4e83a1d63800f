import { ColbertError, ErrorCode } from '../../errors.js';
import { assertFiniteVectors } from '../token-matrix.js';
import { assignCentroids } from './assign-centroid.js';
import { validateCodedRows, validateSharedTables, validateTables, type CompressedTables } from './compressed-tables.js';
import { ensureCapacity } from './growable.js';
import { InvertedLists } from './inverted-lists.js';
import { encodeResidual, residualBytes, type ResidualCodec } from './residual-codec.js';
import { HeapColumns, moveColumns, type TokenColumns } from './token-columns.js';
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
  private columns: TokenColumns;
  private tokenCount = 0;
  private liveMask = new Uint8Array(0);
  private count = 0;
  private live = 0;
  private lists: InvertedLists;
  /** The coarse level as given (the fine centroids are with `columns`). */
  private readonly coarse: Pick<CentroidTable, 'coarse' | 'coarseStart'>;
  readonly centroidCount: number;

  private constructor(
    table: CentroidTable,
    readonly codec: ResidualCodec,
  ) {
    this.coarse = { coarse: table.coarse, coarseStart: table.coarseStart };
    this.dim = table.dim;
    this.nbits = codec.nbits;
    this.residualBytes = residualBytes(this.dim, this.nbits);
    this.centroidCount = table.centroids.length / this.dim;
    this.lists = new InvertedLists(this.centroidCount);
    this.columns = new HeapColumns(this.residualBytes, table.centroids);
  }

  /**
   * The centroid tables. The fine centroids live with the token columns (in the kernels' memory once moved
   * there, so they are held once): take `table.centroids` afresh rather than keeping it across appends.
   */
  get table(): CentroidTable {
    return { dim: this.dim, coarse: this.coarse.coarse, coarseStart: this.coarse.coarseStart, centroids: this.columns.centroids() };
  }

  /** The tables with centroids that stay valid whatever happens to this corpus (copied out of the kernels' memory). */
  private ownTable(): CentroidTable {
    return this.columns instanceof HeapColumns ? this.table : { ...this.table, centroids: this.table.centroids.slice() };
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

  /** Documents held, tombstoned ones included until `compact()`. */
  get size(): number {
    return this.count;
  }
  /** Live documents. */
  get documents(): number {
    return this.live;
  }
  get tokens(): number {
    return this.tokenCount;
  }
  get seqs(): Uint32Array {
    return this.seqList.subarray(0, this.count);
  }
  /** size + 1 token offsets. */
  get tokenStart(): Uint32Array {
    return this.columns.view(this.sizes).starts;
  }
  get codes(): Uint32Array {
    return this.columns.view(this.sizes).codes;
  }
  get residuals(): Uint8Array {
    return this.columns.view(this.sizes).residuals;
  }
  /** Offsets, codes and residuals at once (views valid until the next append or `moveColumns`). */
  get tokenColumns(): { starts: Uint32Array; codes: Uint32Array; residuals: Uint8Array } {
    return this.columns.view(this.sizes);
  }
  private get sizes(): { documents: number; tokens: number } {
    return { documents: this.count, tokens: this.tokenCount };
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

  /**
   * Bytes this corpus allocates in JavaScript memory, room for appends included: sequence numbers, live mask,
   * inverted lists, the coarse and codec tables, and the fine centroids and token columns while they are
   * JavaScript arrays (not once they live in the kernels' memory).
   */
  get heapBytes(): number {
    const columns = this.columns instanceof HeapColumns ? this.columns.allocatedBytes : 0;
    const tables = this.coarse.coarse.byteLength + this.coarse.coarseStart.byteLength + this.codec.cutoffs.byteLength + this.codec.weights.byteLength;
    return this.seqList.byteLength + this.liveMask.byteLength + this.lists.allocatedBytes + columns + tables;
  }

  /** Where the token columns are: the corpus's own arrays, or those `moveColumns` gave it. */
  get columnStore(): TokenColumns {
    return this.columns;
  }

  /**
   * Moves the token columns into `columns` (copied, then the old ones released), e.g. into the WebAssembly memory
   * the kernels read, so there is one copy; no argument moves them back into JavaScript arrays.
   */
  moveColumns(columns?: TokenColumns): void {
    columns ??= new HeapColumns(this.residualBytes, this.table.centroids.slice());
    if (columns === this.columns) return;
    moveColumns(this.columns, columns, this.sizes);
    this.columns = columns;
  }

  /** Drops the token columns (wherever they are): the corpus is not read again (it was replaced or cleared). */
  close(): void {
    this.columns.release();
    this.columns = new HeapColumns(this.residualBytes, new Float32Array(0));
    this.lists = new InvertedLists(this.centroidCount);
    this.seqList = new Uint32Array(0);
    this.liveMask = new Uint8Array(0);
    this.count = 0;
    this.live = 0;
    this.tokenCount = 0;
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
    const kept = new CompressedCorpus(this.ownTable(), this.codec);
    const bytes = this.residualBytes;
    const { starts, codes, residuals } = this.tokenColumns;
    for (let d = 0; d < this.count; d++) {
      if (this.liveMask[d] === 0) continue;
      const from = starts[d]!;
      const to = starts[d + 1]!;
      kept.load(this.seqList.subarray(d, d + 1), Uint32Array.of(0, to - from), codes.subarray(from, to), residuals.subarray(from * bytes, to * bytes));
    }
    return kept;
  }

  /** The persisted form (copies, trimmed to size). */
  tables(): CompressedTables {
    const removed: number[] = [];
    for (let d = 0; d < this.count; d++) if (this.liveMask[d] === 0) removed.push(this.seqList[d]!);
    return {
      centroids: this.ownTable(),
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
    this.columns.reserve(this.sizes, { documents: this.count + documents, tokens });
    const held = this.columns.view({ documents: this.count + documents, tokens });
    held.codes.set(codes, base);
    held.residuals.set(residuals, base * this.residualBytes);
    for (let i = 0; i < documents; i++) {
      const doc = this.count + i;
      this.seqList[doc] = seqs[i]!;
      this.liveMask[doc] = 1;
      held.starts[doc + 1] = base + starts[i + 1]!;
      for (let t = starts[i]!; t < starts[i + 1]!; t++) this.lists.add(codes[t]!, doc);
    }
    this.count += documents;
    this.tokenCount = tokens;
    this.live += documents;
  }
}
