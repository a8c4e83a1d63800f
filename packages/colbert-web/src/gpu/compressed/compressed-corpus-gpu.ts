import { ColbertError, ErrorCode } from '../../errors.js';
import type { CompressedCorpus } from '../../scoring/compressed/compressed-corpus.js';
import { validateTables, type CompressedTables } from '../../scoring/compressed/compressed-tables.js';
import { ensureCapacity } from '../../scoring/compressed/growable.js';
import { residualBytes, type ResidualCodec } from '../../scoring/compressed/residual-codec.js';
import { sortedPosition } from '../../scoring/sorted-position.js';
import type { CentroidTable } from '../../scoring/compressed/train-centroids.js';
import type { GpuContext } from '../context.js';
import { assertUsable } from '../device-failure.js';
import { writeTable } from '../table-buffer.js';

/** Already-coded documents to append: the per-document and per-token tables of `CompressedTables`. */
export type CodedDocuments = Pick<CompressedTables, 'seqs' | 'tokenStart' | 'codes' | 'residuals'>;

export interface GpuCompressedCorpusOptions {
  /** Most bytes of residuals per storage binding (clamped to the device's limits); small values exercise sharding. */
  shardBytes?: number;
}

/**
 * Up to one storage binding of coded tokens (codes and packed residuals), documents back to back; a document never
 * spans two shards, so each dispatch sees whole documents.
 */
export interface CompressedShard {
  codes: GPUBuffer;
  residuals: GPUBuffer;
  /** Tokens the buffers hold room for / hold. */
  capacity: number;
  used: number;
  /** Most tokens this shard may grow to. */
  limit: number;
  /** (slot, first token in the shard, tokens, 0) per document, uploaded to `table` when it changed. */
  records: number[];
  table: GPUBuffer | undefined;
}

const storage = (): GPUBufferUsageFlags => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
const INITIAL_TOKENS = 4096;

/**
 * A compressed corpus on the device: the centroids and codec weights once, token codes and residuals in shards
 * within `maxStorageBufferBindingSize`, a live bitset and sequence numbers per slot (append order). Appends upload
 * only the new tokens; every table is bounds-checked (`validateTables`, INDEX_CORRUPT naming the table) before
 * anything reaches the GPU, so the kernels index without checks.
 *
 * @example
 * const gpuCorpus = GpuCompressedCorpus.fromCorpus(context, corpus);
 * const { hits } = await searchCompressedGpu(gpuCorpus, query, { k: 10 });
 */
export class GpuCompressedCorpus {
  readonly dim: number;
  readonly nbits: number;
  readonly centroidCount: number;
  /** Residual bytes per token (a whole number of u32 words). */
  readonly residualBytes: number;
  readonly shards: CompressedShard[] = [];
  /** The centroids (dim floats each), then the codec weights from vec4 `weightsAt`: one storage binding for both. */
  readonly centroids: GPUBuffer;
  readonly weightsAt: number;
  private seqList = new Uint32Array(0);
  private liveBits = new Uint32Array(0);
  private count = 0;
  private live = 0;
  private readonly maxTokens: number;
  private liveBuffer: GPUBuffer | undefined;
  private seqBuffer: GPUBuffer | undefined;
  private dirty = true;
  private disposed = false;

  private constructor(
    readonly context: GpuContext,
    readonly table: CentroidTable,
    readonly codec: ResidualCodec,
    options: GpuCompressedCorpusOptions,
  ) {
    this.dim = table.dim;
    this.nbits = codec.nbits;
    this.centroidCount = table.centroids.length / this.dim;
    this.residualBytes = residualBytes(this.dim, this.nbits);
    if ((this.dim * this.nbits) % 32 !== 0) {
      throw new ColbertError(ErrorCode.InvalidInput, `dim ${this.dim} × nbits ${this.nbits} is not a whole number of 32-bit words; the GPU scorer reads residuals as u32.`, { subject: 'dim' });
    }
    const { limits } = context.device;
    const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const tableBytes = table.centroids.byteLength + codec.weights.byteLength;
    if (tableBytes > binding) {
      throw new ColbertError(ErrorCode.InvalidInput, `${this.centroidCount} centroids and their codec (${tableBytes} bytes) exceed this device's largest storage binding (${binding} bytes).`, { subject: 'centroids' });
    }
    this.maxTokens = Math.max(1, Math.floor(Math.min(options.shardBytes ?? Infinity, binding) / this.residualBytes));
    // dim is a multiple of 4, so the weights start on a vec4.
    this.weightsAt = table.centroids.length / 4;
    const both = new Float32Array(table.centroids.length + codec.weights.length);
    both.set(table.centroids);
    both.set(codec.weights, table.centroids.length);
    this.centroids = this.upload(both, 'compressed centroids and codec weights');
  }

  /** An empty corpus over `table` and `codec` (validated first). */
  static create(context: GpuContext, table: CentroidTable, codec: ResidualCodec, options: GpuCompressedCorpusOptions = {}): GpuCompressedCorpus {
    validateTables({ centroids: table, codec, seqs: new Uint32Array(0), tokenStart: Uint32Array.of(0), codes: new Uint32Array(0), residuals: new Uint8Array(0), removed: new Uint32Array(0) });
    return new GpuCompressedCorpus(context, table, codec, options);
  }

  /** Persisted tables on the device; every table is bounds-checked before the first upload (INDEX_CORRUPT). */
  static open(context: GpuContext, tables: CompressedTables, options: GpuCompressedCorpusOptions = {}): GpuCompressedCorpus {
    validateTables(tables);
    const corpus = new GpuCompressedCorpus(context, tables.centroids, tables.codec, options);
    corpus.load(tables);
    corpus.remove(tables.removed);
    return corpus;
  }

  /** The device copy of a CPU corpus (its tables, tombstones included). */
  static fromCorpus(context: GpuContext, corpus: CompressedCorpus, options: GpuCompressedCorpusOptions = {}): GpuCompressedCorpus {
    return GpuCompressedCorpus.open(context, corpus.tables(), options);
  }

  /** Slots held, removed ones included. */
  get size(): number {
    return this.count;
  }
  /** Live documents. */
  get documents(): number {
    return this.live;
  }
  get tokens(): number {
    return this.shards.reduce((sum, shard) => sum + shard.used, 0);
  }
  get lastSeq(): number | undefined {
    return this.count === 0 ? undefined : this.seqList[this.count - 1];
  }

  /** Bytes of device buffers this corpus holds (tables, shards, live bits, sequence numbers). */
  get bytes(): number {
    let bytes = this.centroids.size + (this.liveBuffer?.size ?? 0) + (this.seqBuffer?.size ?? 0);
    for (const shard of this.shards) bytes += shard.codes.size + shard.residuals.size + (shard.table?.size ?? 0);
    return bytes;
  }

  /** Appends coded documents (sequence numbers above the last one); validated like persisted tables first. */
  append(coded: CodedDocuments): void {
    this.assertUsable();
    validateTables({ centroids: this.table, codec: this.codec, ...coded, removed: new Uint32Array(0) });
    const last = this.lastSeq;
    if (last !== undefined && coded.seqs.length > 0 && coded.seqs[0]! <= last) {
      throw new ColbertError(ErrorCode.InvalidInput, `seqs[0]: sequence numbers must increase (${coded.seqs[0]} after ${last}).`, { subject: 'seqs[0]' });
    }
    this.load(coded);
  }

  /** Tombstones documents by sequence number; unknown or removed ones are ignored. */
  remove(seqs: ArrayLike<number>): void {
    this.assertUsable();
    for (let i = 0; i < seqs.length; i++) {
      const slot = this.slotOf(seqs[i]!);
      if (slot < 0 || !bit(this.liveBits, slot)) continue;
      this.liveBits[slot >>> 5]! &= ~(1 << (slot & 31));
      this.live--;
      this.dirty = true;
    }
  }

  /** Slot of a sequence number, or −1 (binary search: sequence numbers increase with the slot). */
  slotOf(seq: number): number {
    return sortedPosition(this.seqList, this.count, seq);
  }

  seqOf(slot: number): number {
    return this.seqList[slot]!;
  }

  /** Bits of the live slots (∩ `only`, when given) and how many there are. */
  allowedBits(only?: ArrayLike<number>): { bits: Uint32Array<ArrayBuffer>; count: number } {
    const words = Math.max(1, Math.ceil(this.count / 32));
    if (!only) return { bits: Uint32Array.from(this.liveBits.subarray(0, words)), count: this.live };
    const bits = new Uint32Array(words);
    let count = 0;
    for (let i = 0; i < only.length; i++) {
      const slot = this.slotOf(only[i]!);
      if (slot < 0 || !bit(this.liveBits, slot) || bit(bits, slot)) continue;
      bits[slot >>> 5]! |= 1 << (slot & 31);
      count++;
    }
    return { bits, count };
  }

  /** The per-slot buffers (live bits, sequence numbers), re-uploaded when they changed. */
  prepare(): { live: GPUBuffer; seqs: GPUBuffer } {
    if (this.dirty || !this.liveBuffer || !this.seqBuffer) {
      this.liveBuffer = writeTable(this.context, this.liveBuffer, this.liveBits.subarray(0, Math.max(1, Math.ceil(this.count / 32))), 'compressed live bits');
      this.seqBuffer = writeTable(this.context, this.seqBuffer, this.seqList.subarray(0, this.count), 'compressed sequence numbers');
      this.dirty = false;
    }
    return { live: this.liveBuffer, seqs: this.seqBuffer };
  }

  /** The shard's document table, uploaded when documents were added to it. */
  documentTable(shard: CompressedShard): GPUBuffer {
    shard.table ??= writeTable(this.context, undefined, Uint32Array.from(shard.records), 'compressed document table');
    return shard.table;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const buffers = [this.centroids, this.liveBuffer, this.seqBuffer];
    for (const shard of this.shards) buffers.push(shard.codes, shard.residuals, shard.table);
    for (const buffer of buffers) if (buffer) this.context.destroyBuffer(buffer);
    this.shards.length = 0;
  }

  private assertUsable(): void {
    assertUsable(this.context, 'This compressed corpus was disposed; upload it again.');
    if (this.disposed) throw new ColbertError(ErrorCode.Closed, 'This compressed corpus was disposed; upload it again.');
  }

  /** Places validated documents in shards and uploads their codes and residuals. */
  private load(coded: CodedDocuments): void {
    const { seqs, tokenStart, codes, residuals } = coded;
    const documents = seqs.length;
    this.seqList = ensureCapacity(this.seqList, this.count, this.count + documents);
    this.liveBits = ensureCapacity(this.liveBits, Math.ceil(this.count / 32), Math.ceil((this.count + documents) / 32));
    let runStart = 0;
    while (runStart < documents) {
      const first = tokenStart[runStart]!;
      let shard = this.shards.at(-1);
      if (!shard || shard.used + (tokenStart[runStart + 1]! - first) > shard.limit) shard = this.newShard(tokenStart[runStart + 1]! - first);
      // The longest run of documents that fits in this shard.
      let runEnd = runStart;
      while (runEnd < documents && shard.used + tokenStart[runEnd + 1]! - first <= shard.limit) {
        const slot = this.count + runEnd;
        shard.records.push(slot, shard.used + tokenStart[runEnd]! - first, tokenStart[runEnd + 1]! - tokenStart[runEnd]!, 0);
        this.seqList[slot] = seqs[runEnd]!;
        this.liveBits[slot >>> 5]! |= 1 << (slot & 31);
        runEnd++;
      }
      const tokens = tokenStart[runEnd]! - first;
      this.ensureCapacity(shard, shard.used + tokens);
      const { queue } = this.context.device;
      const bytes = this.residualBytes;
      queue.writeBuffer(shard.codes, shard.used * 4, codes.buffer, codes.byteOffset + first * 4, tokens * 4);
      queue.writeBuffer(shard.residuals, shard.used * bytes, residuals.buffer, residuals.byteOffset + first * bytes, tokens * bytes);
      shard.used += tokens;
      this.dropTable(shard);
      runStart = runEnd;
    }
    this.count += documents;
    this.live += documents;
    this.dirty = true;
  }

  private newShard(tokens: number): CompressedShard {
    const limit = Math.max(this.maxTokens, tokens);
    const { limits } = this.context.device;
    if (tokens * this.residualBytes > Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)) {
      throw new ColbertError(ErrorCode.InvalidInput, `A document of ${tokens} tokens exceeds this device's largest storage binding; split long documents.`, { subject: 'tokenStart' });
    }
    const shard: CompressedShard = { ...this.allocate(Math.min(limit, Math.max(tokens, INITIAL_TOKENS))), used: 0, limit, records: [], table: undefined };
    this.shards.push(shard);
    return shard;
  }

  private allocate(capacity: number): Pick<CompressedShard, 'codes' | 'residuals' | 'capacity'> {
    const index = this.shards.length;
    return {
      codes: this.context.createBuffer(capacity * 4, storage(), `compressed codes shard ${index}`),
      residuals: this.context.createBuffer(capacity * this.residualBytes, storage(), `compressed residuals shard ${index}`),
      capacity,
    };
  }

  /** Grows a shard's buffers to `tokens` tokens by a GPU-side copy of what they hold, never a re-upload. */
  private ensureCapacity(shard: CompressedShard, tokens: number): void {
    if (tokens <= shard.capacity) return;
    const next = this.allocate(Math.min(shard.limit, Math.max(tokens, shard.capacity * 2)));
    if (shard.used > 0) {
      const encoder = this.context.device.createCommandEncoder({ label: 'colbert-web grow compressed shard' });
      encoder.copyBufferToBuffer(shard.codes, 0, next.codes, 0, shard.used * 4);
      encoder.copyBufferToBuffer(shard.residuals, 0, next.residuals, 0, shard.used * this.residualBytes);
      this.context.device.queue.submit([encoder.finish()]);
    }
    // Destroying after submit is safe: the queued copies keep their sources until they have run.
    this.context.destroyBuffer(shard.codes);
    this.context.destroyBuffer(shard.residuals);
    Object.assign(shard, next);
  }

  private dropTable(shard: CompressedShard): void {
    if (shard.table) this.context.destroyBuffer(shard.table);
    shard.table = undefined;
  }

  private upload(data: Float32Array, label: string): GPUBuffer {
    return writeTable(this.context, undefined, new Uint32Array(data.buffer, data.byteOffset, data.length), label);
  }
}

function bit(bits: Uint32Array, slot: number): boolean {
  return ((bits[slot >>> 5]! >>> (slot & 31)) & 1) === 1;
}
