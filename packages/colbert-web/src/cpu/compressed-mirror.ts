import type { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import type { WasmArena } from './wasm-arena.js';

/** Room left for appends when a corpus is laid out, as a fraction of what it holds. */
const HEADROOM = 0.125;

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

/**
 * A compressed corpus's search tables in WebAssembly memory (the kernels read nothing else): centroids, codec
 * weights, the per-byte decode table, token offsets, codes and residuals, with room for appends. The corpus stays
 * the source of truth: `sync` copies the documents appended since; anything else (another corpus, a compacted
 * one, more than the room left) is laid out again from the start of the arena.
 *
 * @example
 * const mirror = CompressedMirror.lay(arena, corpus);
 * if (!mirror.sync(corpus)) mirror = CompressedMirror.lay(arena, corpus);
 */
export class CompressedMirror {
  private documents = 0;

  private constructor(
    private readonly arena: WasmArena,
    readonly corpus: CompressedCorpus,
    readonly centroids: number,
    readonly weights: number,
    readonly decode: number,
    readonly tokenStart: number,
    readonly codes: number,
    readonly residuals: number,
    private readonly documentRoom: number,
    private readonly tokenRoom: number,
  ) {}

  /** Forgets everything in `arena` and lays `corpus` out at its start. */
  static lay(arena: WasmArena, corpus: CompressedCorpus): CompressedMirror {
    arena.reset();
    const put = (values: Float32Array): number => {
      const at = arena.alloc(values.byteLength);
      arena.f32(at, values.length).set(values);
      return at;
    };
    const centroids = put(corpus.table.centroids);
    const weights = put(corpus.codec.weights);
    const decode = put(decodeTable(corpus));
    const documentRoom = Math.ceil(corpus.size * (1 + HEADROOM)) + 16;
    const tokenRoom = Math.ceil(corpus.tokens * (1 + HEADROOM)) + 1024;
    const tokenStart = arena.alloc(4 * (documentRoom + 1));
    const codes = arena.alloc(4 * tokenRoom);
    const residuals = arena.alloc(corpus.residualBytes * tokenRoom);
    arena.u32(tokenStart, 1)[0] = 0;
    const mirror = new CompressedMirror(arena, corpus, centroids, weights, decode, tokenStart, codes, residuals, documentRoom, tokenRoom);
    mirror.sync(corpus);
    return mirror;
  }

  /** Copies the documents `corpus` (this mirror's) gained since; false when it is another corpus or they do not fit. */
  sync(corpus: CompressedCorpus): boolean {
    if (corpus !== this.corpus || corpus.size > this.documentRoom || corpus.tokens > this.tokenRoom) return false;
    if (corpus.size === this.documents) return true;
    const { arena } = this;
    const from = corpus.tokenStart[this.documents]!;
    const to = corpus.tokens;
    arena.u32(this.tokenStart, corpus.size + 1).set(corpus.tokenStart.subarray(this.documents + 1), this.documents + 1);
    arena.u32(this.codes, to).set(corpus.codes.subarray(from), from);
    const bytes = corpus.residualBytes;
    arena.bytes.set(corpus.residuals.subarray(from * bytes), this.residuals + from * bytes);
    this.documents = corpus.size;
    return true;
  }
}
