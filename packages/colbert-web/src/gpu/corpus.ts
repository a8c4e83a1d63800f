import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { GpuContext } from './context.js';
import { writeTable } from './table-buffer.js';

/** One document's place: its slot (dense, in sequence-number order) and its rows in one shard. */
export interface CorpusDocument {
  slot: number;
  seq: number;
  shard: CorpusShard;
  firstRow: number;
  rows: number;
}

/**
 * Up to one storage binding of token rows, documents back to back with no padding. A document never spans two
 * shards, so every kernel dispatch sees whole documents.
 */
export interface CorpusShard {
  rows: GPUBuffer;
  /** int8 only: one float32 scale per row. */
  scales: GPUBuffer | undefined;
  capacity: number;
  used: number;
  /** Most rows this shard may grow to (one binding, or one document that alone is larger than the shard size). */
  limit: number;
  documents: CorpusDocument[];
  tables: ShardTables | undefined;
}

/** Per-shard tables the kernels read, as (u32 × 4) records. */
export interface ShardTables {
  /** Per tile of up to `tileTokens` rows of one document: (slot, first row, rows, 0). */
  tiles: GPUBuffer;
  tileCount: number;
  /** Per document: (slot, first tile, tiles, 0). */
  tileRanges: GPUBuffer;
  /** Per document: (slot, first row, rows, 0). */
  rowRanges: GPUBuffer;
}

export interface GpuCorpusOptions {
  dim: number;
  precision: StoredPrecision;
  /** Most bytes of token rows per shard; clamped to the device's binding and buffer limits. */
  shardBytes?: number;
  /** Rows per tile of the fused kernel (its workgroup size). */
  tileTokens: number;
}

/** Read at call time: under Node the GPUBufferUsage global exists only once a WebGPU implementation is installed. */
const storage = (): GPUBufferUsageFlags => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
/** Rows a new shard starts with, so that small appends do not reallocate every time. */
const INITIAL_ROWS = 1024;

/**
 * The corpus on the device: token rows in shards, a live bitset and sequence numbers per slot. Appends upload only
 * the new rows (a full shard buffer grows by a GPU-side copy); compact() copies live rows into tighter buffers on
 * the GPU. Tables derived from the layout are small and re-uploaded from the CPU when they change.
 *
 * @example
 * const corpus = new GpuCorpus(context, { dim: 96, precision: 'int8', tileTokens: 64 });
 * corpus.append(batch);
 * const { live, seqs } = corpus.prepare();
 */
export class GpuCorpus {
  readonly rowBytes: number;
  readonly shards: CorpusShard[] = [];
  /** By slot. */
  readonly documents: CorpusDocument[] = [];
  liveCount = 0;
  private liveBits = new Uint32Array(0);
  private readonly slotBySeq = new Map<number, number>();
  private readonly maxRows: number;
  private liveBuffer: GPUBuffer | undefined;
  private seqBuffer: GPUBuffer | undefined;
  private globalsDirty = true;

  constructor(
    private readonly context: GpuContext,
    private readonly options: GpuCorpusOptions,
  ) {
    const { dim, precision } = options;
    this.rowBytes = precision === 'f32' ? dim * 4 : precision === 'f16' ? dim * 2 : dim;
    const { limits } = context.device;
    const bytes = Math.min(options.shardBytes ?? Infinity, limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    this.maxRows = Math.max(1, Math.floor(bytes / this.rowBytes));
  }

  get tokens(): number {
    return this.shards.reduce((sum, shard) => sum + shard.used, 0);
  }

  get lastSeq(): number | undefined {
    return this.documents.at(-1)?.seq;
  }

  slotOf(seq: number): number | undefined {
    return this.slotBySeq.get(seq);
  }

  isLive(slot: number): boolean {
    return ((this.liveBits[slot >>> 5]! >>> (slot & 31)) & 1) === 1;
  }

  /** Places and uploads a validated batch. */
  append(batch: DocumentBatch): void {
    const { lengths, seqs } = batch;
    let batchRow = 0;
    let run: { shard: CorpusShard; fromRow: number; batchRow: number; rows: number } | undefined;
    const runs: NonNullable<typeof run>[] = [];
    for (let i = 0; i < lengths.length; i++) {
      const rows = lengths[i]!;
      let shard = this.shards.at(-1);
      if (!shard || shard.used + rows > shard.limit) {
        shard = this.newShard(rows);
        run = undefined;
      }
      if (!run || run.shard !== shard) {
        run = { shard, fromRow: shard.used, batchRow, rows: 0 };
        runs.push(run);
      }
      const slot = this.documents.length;
      const document: CorpusDocument = { slot, seq: seqs[i]!, shard, firstRow: shard.used, rows };
      shard.documents.push(document);
      shard.used += rows;
      this.invalidate(shard);
      this.documents.push(document);
      this.slotBySeq.set(document.seq, slot);
      run.rows += rows;
      batchRow += rows;
    }
    this.setLiveRange(this.documents.length - lengths.length, this.documents.length);
    for (const r of runs) {
      this.ensureCapacity(r.shard, r.shard.used, r.fromRow);
      this.writeRows(r.shard, r.fromRow, batch, r.batchRow, r.rows);
    }
  }

  /** Tombstones documents by sequence number; unknown or already removed ones are ignored. */
  remove(seqs: ArrayLike<number>): void {
    for (let i = 0; i < seqs.length; i++) {
      const slot = this.slotBySeq.get(seqs[i]!);
      if (slot === undefined || !this.isLive(slot)) continue;
      this.liveBits[slot >>> 5]! &= ~(1 << (slot & 31));
      this.liveCount--;
      this.globalsDirty = true;
    }
  }

  /** Copies live documents' rows into tight buffers on the GPU and renumbers slots (sequence numbers stay). */
  compact(): void {
    const encoder = this.context.device.createCommandEncoder({ label: 'colbert-web compact corpus' });
    const old: GPUBuffer[] = [];
    const kept: CorpusShard[] = [];
    for (const shard of this.shards) {
      const live = shard.documents.filter((d) => this.isLive(d.slot));
      if (live.length === shard.documents.length) {
        kept.push(shard);
        continue;
      }
      old.push(shard.rows, ...(shard.scales ? [shard.scales] : []));
      this.invalidate(shard);
      if (live.length === 0) continue;
      const used = live.reduce((sum, d) => sum + d.rows, 0);
      const next = this.allocate(used);
      let to = 0;
      for (const d of live) {
        this.copyRows(encoder, shard, d.firstRow, next, to, d.rows);
        d.firstRow = to;
        to += d.rows;
      }
      Object.assign(shard, next, { used, documents: live });
      kept.push(shard);
    }
    this.context.device.queue.submit([encoder.finish()]);
    // Destroying after submit is safe: the queued copies keep their sources until they have run.
    for (const buffer of old) this.context.destroyBuffer(buffer);
    this.shards.splice(0, this.shards.length, ...kept);
    this.documents.length = 0;
    this.slotBySeq.clear();
    for (const shard of this.shards) {
      for (const d of shard.documents) {
        d.slot = this.documents.length;
        this.documents.push(d);
        this.slotBySeq.set(d.seq, d.slot);
      }
      this.invalidate(shard);
    }
    this.liveBits = new Uint32Array(0);
    this.liveCount = 0;
    this.setLiveRange(0, this.documents.length);
  }

  /** The global buffers, uploaded if they changed: live bits and sequence numbers per slot. */
  prepare(): { live: GPUBuffer; seqs: GPUBuffer } {
    if (this.globalsDirty || !this.liveBuffer || !this.seqBuffer) {
      const seqs = Uint32Array.from(this.documents, (d) => d.seq);
      this.liveBuffer = this.replace(this.liveBuffer, this.liveBits, 'live bits');
      this.seqBuffer = this.replace(this.seqBuffer, seqs, 'sequence numbers');
      this.globalsDirty = false;
    }
    return { live: this.liveBuffer, seqs: this.seqBuffer };
  }

  /** The shard's kernel tables, built when its layout changed. */
  tables(shard: CorpusShard): ShardTables {
    if (shard.tables) return shard.tables;
    const tile = this.options.tileTokens;
    const tileCount = shard.documents.reduce((sum, d) => sum + Math.ceil(d.rows / tile), 0);
    const tiles = new Uint32Array(tileCount * 4);
    const tileRanges = new Uint32Array(shard.documents.length * 4);
    const rowRanges = new Uint32Array(shard.documents.length * 4);
    let t = 0;
    shard.documents.forEach((d, i) => {
      tileRanges.set([d.slot, t, Math.ceil(d.rows / tile), 0], i * 4);
      rowRanges.set([d.slot, d.firstRow, d.rows, 0], i * 4);
      for (let r = 0; r < d.rows; r += tile) tiles.set([d.slot, d.firstRow + r, Math.min(tile, d.rows - r), 0], 4 * t++);
    });
    shard.tables = {
      tiles: this.replace(undefined, tiles, 'tile table'),
      tileCount,
      tileRanges: this.replace(undefined, tileRanges, 'document tiles table'),
      rowRanges: this.replace(undefined, rowRanges, 'document rows table'),
    };
    return shard.tables;
  }

  /** Bits of the live documents whose sequence numbers are in `only`, and how many there are. */
  filterBits(only: ArrayLike<number>): { bits: Uint32Array<ArrayBuffer>; count: number } {
    const bits = new Uint32Array(Math.max(1, Math.ceil(this.documents.length / 32)));
    let count = 0;
    for (let i = 0; i < only.length; i++) {
      const slot = this.slotBySeq.get(only[i]!);
      if (slot === undefined || !this.isLive(slot) || (bits[slot >>> 5]! >>> (slot & 31)) & 1) continue;
      bits[slot >>> 5]! |= 1 << (slot & 31);
      count++;
    }
    return { bits, count };
  }

  dispose(): void {
    for (const shard of this.shards) this.destroyShard(shard);
    this.shards.length = 0;
    for (const buffer of [this.liveBuffer, this.seqBuffer]) if (buffer) this.context.destroyBuffer(buffer);
  }

  private setLiveRange(from: number, to: number): void {
    if (this.liveBits.length * 32 < to) {
      const grown = new Uint32Array(Math.max(Math.ceil(to / 32), this.liveBits.length * 2));
      grown.set(this.liveBits);
      this.liveBits = grown;
    }
    for (let slot = from; slot < to; slot++) this.liveBits[slot >>> 5]! |= 1 << (slot & 31);
    this.liveCount += to - from;
    this.globalsDirty = true;
  }

  private newShard(rows: number): CorpusShard {
    const { limits } = this.context.device;
    if (rows * this.rowBytes > Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)) {
      throw new ColbertError(
        ErrorCode.InvalidInput,
        `A document of ${rows} tokens (${rows * this.rowBytes} bytes) exceeds this device's largest storage binding (${limits.maxStorageBufferBindingSize} bytes); split long documents.`,
        { subject: 'batch.lengths' },
      );
    }
    const limit = Math.max(this.maxRows, rows);
    const shard: CorpusShard = { ...this.allocate(Math.min(limit, Math.max(rows, INITIAL_ROWS))), used: 0, limit, documents: [], tables: undefined };
    this.shards.push(shard);
    return shard;
  }

  private allocate(capacity: number): Pick<CorpusShard, 'rows' | 'scales' | 'capacity'> {
    const index = this.shards.length;
    return {
      rows: this.context.createBuffer(capacity * this.rowBytes, storage(), `corpus rows shard ${index}`),
      scales: this.options.precision === 'int8' ? this.context.createBuffer(capacity * 4, storage(), `corpus scales shard ${index}`) : undefined,
      capacity,
    };
  }

  /**
   * Grows a shard's buffers to hold `rows` rows, keeping the first `written`: a bigger buffer and a GPU-side copy,
   * never a re-upload.
   */
  private ensureCapacity(shard: CorpusShard, rows: number, written: number): void {
    if (rows <= shard.capacity) return;
    const next = this.allocate(Math.min(shard.limit, Math.max(rows, shard.capacity * 2)));
    const encoder = this.context.device.createCommandEncoder({ label: 'colbert-web grow corpus shard' });
    this.copyRows(encoder, shard, 0, next, 0, written);
    this.context.device.queue.submit([encoder.finish()]);
    this.context.destroyBuffer(shard.rows);
    if (shard.scales) this.context.destroyBuffer(shard.scales);
    Object.assign(shard, next);
  }

  private copyRows(encoder: GPUCommandEncoder, from: Pick<CorpusShard, 'rows' | 'scales'>, fromRow: number, to: Pick<CorpusShard, 'rows' | 'scales'>, toRow: number, rows: number): void {
    if (rows === 0) return;
    encoder.copyBufferToBuffer(from.rows, fromRow * this.rowBytes, to.rows, toRow * this.rowBytes, rows * this.rowBytes);
    if (from.scales && to.scales) encoder.copyBufferToBuffer(from.scales, fromRow * 4, to.scales, toRow * 4, rows * 4);
  }

  private writeRows(shard: CorpusShard, toRow: number, batch: DocumentBatch, fromRow: number, rows: number): void {
    const { tokens } = batch;
    const { queue } = this.context.device;
    const values = tokens.values.subarray(fromRow * tokens.dim, (fromRow + rows) * tokens.dim);
    queue.writeBuffer(shard.rows, toRow * this.rowBytes, values.buffer, values.byteOffset, values.byteLength);
    if (tokens.precision === 'int8' && shard.scales) {
      const scales = tokens.scales.subarray(fromRow, fromRow + rows);
      queue.writeBuffer(shard.scales, toRow * 4, scales.buffer, scales.byteOffset, scales.byteLength);
    }
  }

  private replace(buffer: GPUBuffer | undefined, data: Uint32Array, label: string): GPUBuffer {
    return writeTable(this.context, buffer, data, label);
  }

  /** Drops a shard's tables after its layout or its slots changed; `tables()` rebuilds them. */
  private invalidate(shard: CorpusShard): void {
    if (shard.tables) for (const b of [shard.tables.tiles, shard.tables.tileRanges, shard.tables.rowRanges]) this.context.destroyBuffer(b);
    shard.tables = undefined;
  }

  private destroyShard(shard: CorpusShard): void {
    this.context.destroyBuffer(shard.rows);
    if (shard.scales) this.context.destroyBuffer(shard.scales);
    this.invalidate(shard);
  }
}
