import type { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import type { ColumnSizes, ColumnViews, TokenColumns } from '../scoring/compressed/token-columns.js';
import type { WasmArena } from './wasm-arena.js';

/**
 * Room left for appends when the columns are laid out or grown, as a fraction of what they hold: small, since it
 * counts against the memory goal (≤ 1.15 × the bytes on disk); a grow past it moves the columns up in place.
 */
const HEADROOM = 1 / 64;

const align = (bytes: number): number => (bytes + 15) & ~15;

/**
 * Per residual byte p and value v, the weights of the dimensions packed in it: 4 f32 at nbits 2 (16 bytes), 2 at
 * nbits 4 (8 bytes), so the exact kernel decodes a token with one vector add per 4 dimensions.
 */
function decodeTable(corpus: CompressedCorpus): Float32Array {
  const { dim, nbits, residualBytes: bytes } = corpus;
  const { weights } = corpus.codec;
  const perByte = 8 / nbits;
  const buckets = 1 << nbits;
  const table = new Float32Array(bytes * 256 * perByte);
  for (let p = 0; p < bytes; p++) {
    for (let v = 0; v < 256; v++) {
      for (let s = 0; s < perByte; s++) {
        const i = p * perByte + s;
        if (i < dim) table[(p * 256 + v) * perByte + s] = weights[i * buckets + ((v >> (s * nbits)) & (buckets - 1))]!;
      }
    }
  }
  return table;
}

/** Region addresses and capacities of the three columns. */
interface Regions {
  tokenStart: number;
  codes: number;
  residuals: number;
  documentRoom: number;
  tokenRoom: number;
  end: number;
}

function regionsAt(at: number, documentRoom: number, tokenRoom: number, residualBytes: number): Regions {
  const tokenStart = align(at);
  const codes = align(tokenStart + 4 * (documentRoom + 1));
  const residuals = align(codes + 4 * tokenRoom);
  return { tokenStart, codes, residuals, documentRoom, tokenRoom, end: residuals + residualBytes * tokenRoom };
}

function roomFor(sizes: ColumnSizes): { documents: number; tokens: number } {
  return { documents: Math.ceil(sizes.documents * (1 + HEADROOM)) + 16, tokens: Math.ceil(sizes.tokens * (1 + HEADROOM)) + 1024 };
}

/**
 * A compressed corpus's search tables in WebAssembly memory (the kernels read nothing else): centroids, codec
 * weights, the per-byte decode table, and the corpus's own token columns (offsets, codes, residuals), which the
 * corpus moves here (`corpus.moveColumns(mirror)`) so kernels and corpus share one copy. Appends write straight
 * into it; past the room left the columns grow in place (the memory grows, residuals then codes move up), unless
 * a kernel may be reading them (`busy`): then they are copied higher up and moved back down by `settle`.
 *
 * @example
 * const mirror = CompressedMirror.lay(arena, corpus); // corpus.columnStore === mirror now
 */
export class CompressedMirror implements TokenColumns {
  /** Set while a kernel may read the columns: a grow must not move them then. */
  busy = false;
  /** Changes whenever the columns move (the arena above them, scratch included, is lost then). */
  generation = 0;
  private regions: Regions;
  private relocated = false;
  private released = false;
  /** Where the columns start when they are not relocated (right above the tables). */
  private readonly base: number;

  private constructor(
    private readonly arena: WasmArena,
    readonly corpus: CompressedCorpus,
    /** Address of the fine centroids. */
    readonly centroidsAt: number,
    readonly weights: number,
    readonly decode: number,
  ) {
    const room = roomFor({ documents: corpus.size, tokens: corpus.tokens });
    this.base = align(arena.used);
    this.regions = regionsAt(this.base, room.documents, room.tokens, corpus.residualBytes);
    arena.setTop(this.regions.end);
    arena.u32(this.regions.tokenStart, 1)[0] = 0;
  }

  /** Forgets everything in `arena`, lays the tables out at its start, and moves `corpus`'s columns in. */
  static lay(arena: WasmArena, corpus: CompressedCorpus): CompressedMirror {
    arena.reset();
    const put = (values: Float32Array): number => {
      const at = arena.alloc(values.byteLength);
      arena.f32(at, values.length).set(values);
      return at;
    };
    const mirror = new CompressedMirror(arena, corpus, put(corpus.table.centroids), put(corpus.codec.weights), put(decodeTable(corpus)));
    corpus.moveColumns(mirror);
    return mirror;
  }

  get tokenStart(): number {
    return this.regions.tokenStart;
  }
  get codes(): number {
    return this.regions.codes;
  }
  get residuals(): number {
    return this.regions.residuals;
  }
  /** False once the corpus moved its columns elsewhere or was closed. */
  get holds(): boolean {
    return !this.released;
  }

  centroids(): Float32Array {
    return this.arena.f32(this.centroidsAt, this.corpus.centroidCount * this.corpus.dim);
  }

  view(sizes: ColumnSizes): ColumnViews {
    const { tokenStart, codes, residuals } = this.regions;
    return {
      starts: this.arena.u32(tokenStart, sizes.documents + 1),
      codes: this.arena.u32(codes, sizes.tokens),
      residuals: this.arena.bytes.subarray(residuals, residuals + sizes.tokens * this.corpus.residualBytes),
    };
  }

  reserve(used: ColumnSizes, needed: ColumnSizes): void {
    const { documentRoom, tokenRoom } = this.regions;
    if (needed.documents <= documentRoom && needed.tokens <= tokenRoom) return;
    // Never less room than now: every region then moves up (or stays), which the copy order relies on.
    const wanted = roomFor(needed);
    const room = { documents: Math.max(wanted.documents, documentRoom), tokens: Math.max(wanted.tokens, tokenRoom) };
    const bytes = this.corpus.residualBytes;
    if (this.busy) {
      // Kernels on helper threads may be reading the current regions: copy the columns above everything instead.
      this.moveRegions(regionsAt(this.arena.used, room.documents, room.tokens, bytes), used);
      this.relocated = true;
    } else {
      this.moveRegions(regionsAt(this.regions.tokenStart, room.documents, room.tokens, bytes), used);
    }
  }

  /** Moves columns copied above the scratch (a grow while `busy`) back down next to the tables. */
  settle(): void {
    if (!this.relocated || this.busy) return;
    const { documentRoom, tokenRoom } = this.regions;
    this.moveRegions(regionsAt(this.base, documentRoom, tokenRoom, this.corpus.residualBytes), { documents: this.corpus.size, tokens: this.corpus.tokens });
    this.relocated = false;
  }

  get allocatedBytes(): number {
    return this.regions.end - this.centroidsAt;
  }

  release(): void {
    this.released = true;
  }

  /**
   * Copies the used part of each column to `next` (memmove: the regions keep their order, so moving the last one
   * first when going up, the first one first when going down, never overwrites what is still to be copied), and
   * makes the arena end where `next` does (scratch above the old regions is lost: `generation` changes).
   */
  private moveRegions(next: Regions, used: ColumnSizes): void {
    const from = this.regions;
    const spans = [
      { from: from.tokenStart, to: next.tokenStart, bytes: 4 * (used.documents + 1) },
      { from: from.codes, to: next.codes, bytes: 4 * used.tokens },
      { from: from.residuals, to: next.residuals, bytes: this.corpus.residualBytes * used.tokens },
    ];
    this.arena.setTop(next.end);
    const bytes = this.arena.bytes;
    for (const span of next.codes > from.codes ? spans.reverse() : spans) bytes.copyWithin(span.to, span.from, span.from + span.bytes);
    this.regions = next;
    this.generation++;
  }
}
