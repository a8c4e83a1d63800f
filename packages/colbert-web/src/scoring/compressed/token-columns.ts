import { ensureCapacity } from './growable.js';

/** How much a corpus holds: documents, and tokens over all of them. */
export interface ColumnSizes {
  documents: number;
  tokens: number;
}

/** Views of a corpus's per-token columns (valid until the next `reserve` or `moveTo`). */
export interface ColumnViews {
  /** Token offsets (documents + 1 of them are meaningful). */
  starts: Uint32Array;
  /** Centroid id per token. */
  codes: Uint32Array;
  /** `residualBytes` packed residual bytes per token. */
  residuals: Uint8Array;
}

/**
 * Where a compressed corpus keeps its big columns (token offsets, codes, residuals): JavaScript typed arrays
 * (`HeapColumns`), or the WebAssembly memory the CPU kernels read (cpu/compressed-mirror.ts), so the kernels and
 * the corpus share one copy. Views are re-derived on every access: a WebAssembly memory's buffer changes when it
 * grows.
 */
export interface TokenColumns {
  /** Views of `sizes` documents and tokens. */
  view(sizes: ColumnSizes): ColumnViews;
  /** Room for `needed`, keeping what `used` covers (offset 0 of `starts` is 0). */
  reserve(used: ColumnSizes, needed: ColumnSizes): void;
  /** The fine centroids (rows × dim), kept with the columns so the kernels' memory holds the only copy. */
  centroids(): Float32Array;
  /** Bytes these columns take where they are, room for appends included (centroids too). */
  readonly allocatedBytes: number;
  /** Called once the corpus moved its columns elsewhere (or is closed): nothing reads these again. */
  release(): void;
}

/**
 * The columns as JavaScript typed arrays, doubling when full.
 *
 * @example
 * const columns = new HeapColumns(32, table.centroids);
 * columns.reserve({ documents: 0, tokens: 0 }, { documents: 2, tokens: 9 });
 */
export class HeapColumns implements TokenColumns {
  private starts = new Uint32Array(1);
  private codes = new Uint32Array(0);
  private residuals = new Uint8Array(0);

  constructor(
    private readonly residualBytes: number,
    private centroidRows: Float32Array,
  ) {}

  centroids(): Float32Array {
    return this.centroidRows;
  }

  view(sizes: ColumnSizes): ColumnViews {
    return {
      starts: this.starts.subarray(0, sizes.documents + 1),
      codes: this.codes.subarray(0, sizes.tokens),
      residuals: this.residuals.subarray(0, sizes.tokens * this.residualBytes),
    };
  }

  reserve(used: ColumnSizes, needed: ColumnSizes): void {
    this.starts = ensureCapacity(this.starts, used.documents + 1, needed.documents + 1);
    this.codes = ensureCapacity(this.codes, used.tokens, needed.tokens);
    this.residuals = ensureCapacity(this.residuals, used.tokens * this.residualBytes, needed.tokens * this.residualBytes);
  }

  get allocatedBytes(): number {
    return this.starts.byteLength + this.codes.byteLength + this.residuals.byteLength + this.centroidRows.byteLength;
  }

  release(): void {
    this.starts = new Uint32Array(1);
    this.codes = new Uint32Array(0);
    this.residuals = new Uint8Array(0);
    this.centroidRows = new Float32Array(0);
  }
}

/** Copies `sizes` of `from`'s columns into `to` (reserved first; `to` brings its own centroids) and releases `from`. */
export function moveColumns(from: TokenColumns, to: TokenColumns, sizes: ColumnSizes): void {
  to.reserve({ documents: 0, tokens: 0 }, sizes);
  const source = from.view(sizes);
  const target = to.view(sizes);
  target.starts.set(source.starts);
  target.codes.set(source.codes);
  target.residuals.set(source.residuals);
  from.release();
}
