import { float16BitsToFloat32 } from '../model/float16.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import { sortedPosition } from '../scoring/sorted-position.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { WasmArena } from './wasm-arena.js';

/** Bytes per document in the per-document region: block address, length (u32), mask (u8), score (f32). */
const PER_DOCUMENT = 13;

let f16Table: Float32Array | undefined;

/** float16 bits → float32 through a 65,536-entry table: exact, and far faster than decoding each value. */
function float16Table(): Float32Array {
  f16Table ??= Float32Array.from({ length: 65536 }, (_, h) => float16BitsToFloat32(h));
  return f16Table;
}

/**
 * The corpus in WebAssembly memory. Each document is one block: f32 rows (f16 is decoded to f32 on append, which
 * is exact, and scored by the f32 kernel), or int8 rows followed by one f32 scale and one i32 Σ of the values per
 * token (the relaxed-SIMD kernel subtracts 64·Σd; computed once here instead of per query). Blocks are placed
 * back to back in append order, so document order is address order and compaction can slide them down in place.
 * Per document the kernels read the block address, the length, a mask byte and write a score; sequence numbers
 * and the live flags stay on the JavaScript side.
 *
 * @example
 * const corpus = new WasmCorpus(arena, 96, 'int8');
 * corpus.append(batch); // validated first (validate.ts)
 */
export class WasmCorpus {
  readonly dim: number;
  readonly precision: StoredPrecision;
  private readonly arena: WasmArena;
  /** Documents held (removed ones included until compaction). */
  count = 0;
  live = 0;
  tokens = 0;
  /** Bumped whenever regions outside the corpus (query, scratch) must be allocated again. */
  generation = 0;
  private capacity = 0;
  /** Address of the per-document region: pointers, lengths, mask, scores. */
  private region = 0;
  seqs = new Uint32Array(0);
  alive = new Uint8Array(0);

  constructor(arena: WasmArena, dim: number, precision: StoredPrecision) {
    this.arena = arena;
    this.dim = dim;
    this.precision = precision;
  }

  get pointers(): number {
    return this.region;
  }
  get lengths(): number {
    return this.region + 4 * this.capacity;
  }
  get mask(): number {
    return this.region + 8 * this.capacity;
  }
  get scores(): number {
    return (this.region + 9 * this.capacity + 15) & ~15;
  }

  /** Bytes of one document's block (16-byte aligned). */
  private blockBytes(length: number): number {
    const bytes = this.precision === 'int8' ? length * (this.dim + 8) : length * this.dim * 4;
    return (bytes + 15) & ~15;
  }

  /** Appends a validated batch: one allocation for its blocks, values copied (or decoded) straight in. */
  append(batch: DocumentBatch): void {
    const n = batch.lengths.length;
    this.reserve(this.count + n);
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += this.blockBytes(batch.lengths[i]!);
    let at = this.arena.alloc(bytes);
    const pointers = this.arena.u32(this.pointers, this.capacity);
    const lengths = this.arena.u32(this.lengths, this.capacity);
    let row = 0;
    for (let i = 0; i < n; i++) {
      const length = batch.lengths[i]!;
      const doc = this.count + i;
      pointers[doc] = at;
      lengths[doc] = length;
      this.seqs[doc] = batch.seqs[i]!;
      this.alive[doc] = 1;
      this.writeBlock(batch, at, row, length);
      at += this.blockBytes(length);
      row += length;
    }
    this.count += n;
    this.live += n;
    this.tokens += row;
  }

  private writeBlock(batch: DocumentBatch, at: number, row: number, length: number): void {
    const { dim } = this;
    const { tokens } = batch;
    const from = row * dim;
    const size = length * dim;
    if (tokens.precision === 'f32') {
      this.arena.f32(at, size).set(tokens.values.subarray(from, from + size));
    } else if (tokens.precision === 'f16') {
      const table = float16Table();
      const out = this.arena.f32(at, size);
      const bits = tokens.values;
      for (let i = 0; i < size; i++) out[i] = table[bits[from + i]!]!;
    } else {
      const values = tokens.values.subarray(from, from + size);
      this.arena.i8(at, size).set(values);
      this.arena.f32(at + size, length).set(tokens.scales.subarray(row, row + length));
      const sums = this.arena.i32(at + size + 4 * length, length);
      for (let t = 0; t < length; t++) {
        let sum = 0;
        for (let i = t * dim; i < (t + 1) * dim; i++) sum += values[i]!;
        sums[t] = sum;
      }
    }
  }

  /** Makes room for `documents` in the per-document region, doubling it (the old region is left behind). */
  private reserve(documents: number): void {
    if (documents <= this.capacity) return;
    const capacity = Math.max(documents, this.capacity * 2, 64);
    const region = this.arena.alloc(PER_DOCUMENT * capacity + 16);
    const old = { pointers: this.pointers, lengths: this.lengths, capacity: this.capacity };
    const pointers = this.arena.u32(old.pointers, old.capacity).slice(0, this.count);
    const lengths = this.arena.u32(old.lengths, old.capacity).slice(0, this.count);
    this.region = region;
    this.capacity = capacity;
    this.arena.u32(this.pointers, capacity).set(pointers);
    this.arena.u32(this.lengths, capacity).set(lengths);
    const seqs = new Uint32Array(capacity);
    seqs.set(this.seqs.subarray(0, this.count));
    this.seqs = seqs;
    const alive = new Uint8Array(capacity);
    alive.set(this.alive.subarray(0, this.count));
    this.alive = alive;
    this.generation++;
  }

  /** Index of the document with this sequence number, or −1 (sequence numbers increase with the index). */
  indexOf(seq: number): number {
    return sortedPosition(this.seqs, this.count, seq);
  }

  remove(seqs: ArrayLike<number>): void {
    for (let i = 0; i < seqs.length; i++) {
      const doc = this.indexOf(seqs[i]!);
      if (doc >= 0 && this.alive[doc]) {
        this.alive[doc] = 0;
        this.live--;
        this.tokens -= this.length(doc);
      }
    }
  }

  length(doc: number): number {
    return this.arena.u32(this.lengths + 4 * doc, 1)[0]!;
  }

  block(doc: number): number {
    return this.arena.u32(this.pointers + 4 * doc, 1)[0]!;
  }

  /**
   * Drops removed documents: live blocks slide down to the bottom of the arena in order (each lands at or below
   * where it was, so a forward copy is safe), then a per-document region sized for the survivors goes on top.
   */
  compact(): void {
    const pointers = this.arena.u32(this.pointers, this.count).slice();
    const lengths = this.arena.u32(this.lengths, this.count).slice();
    const keep: number[] = [];
    for (let doc = 0; doc < this.count; doc++) if (this.alive[doc]) keep.push(doc);
    this.arena.reset();
    const moved = new Uint32Array(keep.length);
    keep.forEach((doc, i) => {
      const bytes = this.blockBytes(lengths[doc]!);
      const at = this.arena.alloc(bytes);
      this.arena.bytes.copyWithin(at, pointers[doc]!, pointers[doc]! + bytes);
      moved[i] = at;
    });
    const seqs = Uint32Array.from(keep, (doc) => this.seqs[doc]!);
    this.count = 0;
    this.capacity = 0;
    this.seqs = new Uint32Array(0);
    this.alive = new Uint8Array(0);
    this.reserve(keep.length);
    this.arena.u32(this.pointers, keep.length).set(moved);
    this.arena.u32(this.lengths, keep.length).set(Uint32Array.from(keep, (doc) => lengths[doc]!));
    this.seqs.set(seqs);
    this.alive.fill(1, 0, keep.length);
    this.count = keep.length;
    this.live = keep.length;
    this.generation++;
  }
}
