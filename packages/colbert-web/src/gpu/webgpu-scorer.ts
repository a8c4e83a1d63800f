import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { DeviceLostInfo } from '../protocol/encoder-api.js';
import { compareScored, type DocumentBatch, type ScoredDocument, type ScoreOptions, type Scorer } from '../scoring/scorer.js';
import { scorerDims, storedPrecisions, type F32TokenMatrix, type StoredPrecision } from '../scoring/token-matrix.js';
import { GpuContext, type GpuMemoryCounters } from './context.js';
import { GpuCorpus } from './corpus.js';
import { assertUsable, gpuFailure } from './device-failure.js';
import { explainDocuments } from './kernels/explain.js';
import { encodeFusedMaxSim, TILE_TOKENS, type ScorePassInput } from './kernels/maxsim.js';
import { encodeNaiveMaxSim } from './kernels/naive.js';
import { encodeTopK } from './kernels/topk.js';
import { queryFromGpu, uploadQuery, type GpuQuery, type QueryBuffers } from './query-buffers.js';
import { requestScorerDevice } from './request-device.js';
import { Scratch } from './scratch.js';
import { validateBatch, validateGpuQuery, validateQuery } from './validate.js';

export interface CreateWebGpuScorerOptions {
  /**
   * The device to score on: in the worker, onnxruntime's (`webGpuDevice()`) when the encoder runs on WebGPU, so
   * the two share one. Left out, the scorer requests its own with the adapter's largest limits (and destroys it in
   * dispose()).
   */
  device?: GPUDevice;
  /** The WebGPU entry point for requesting a device; default `navigator.gpu`. */
  gpu?: GPU;
  dim: number;
  precision: StoredPrecision;
  /** Most bytes of token rows per binding; default the device's limit. Small values exercise sharding in tests. */
  shardBytes?: number;
  /** 'naive' scores through the full similarity matrix: for the benchmark's comparison and tests only. */
  kernel?: 'fused' | 'naive';
}

/** The WebGPU scorer: `Scorer` plus what only a GPU scorer has. */
export interface WebGpuScorer extends Scorer {
  readonly backend: 'webgpu';
  /** The device it scores on; a `GpuQuery` must be on this one. */
  readonly device: GPUDevice;
  /** Resolves when the device is lost (never for dispose()); score() then throws BACKEND_FAILED. */
  readonly lost: Promise<DeviceLostInfo>;
  /** Storage bindings the corpus occupies. */
  readonly shards: number;
  memory(): GpuMemoryCounters;
  /**
   * The top `k` documents for a query given as float32 rows on the CPU, or already on this scorer's device (a
   * `GpuQuery`, e.g. the encoder's output left on the GPU): then no query vector crosses to the CPU and back.
   * Results are the same either way.
   */
  score(query: F32TokenMatrix | GpuQuery, options: ScoreOptions): Promise<ScoredDocument[]>;
}

/** Whether a query is GPU-resident (a `GpuQuery`) rather than float32 rows on the CPU. */
export function isGpuQuery(query: F32TokenMatrix | GpuQuery): query is GpuQuery {
  return 'buffer' in query;
}

/**
 * A MaxSim scorer on WebGPU: the corpus in device buffers, fused MaxSim and top-k on the GPU, only k results read
 * back.
 *
 * @example
 * const scorer = await createWebGpuScorer({ device: webGpuDevice(), dim: 96, precision: 'int8' });
 * await scorer.append({ tokens: storeTokens(vectors, 96, 'int8'), lengths, seqs });
 * const top = await scorer.score(query, { k: 10, explain: true });
 */
export async function createWebGpuScorer(options: CreateWebGpuScorerOptions): Promise<WebGpuScorer> {
  const { dim, precision } = options;
  if (!scorerDims.includes(dim)) {
    throw new ColbertError(ErrorCode.InvalidInput, `dim must be one of ${scorerDims.join(', ')} (got ${dim}).`, { subject: 'dim' });
  }
  if (!storedPrecisions.includes(precision)) {
    throw new ColbertError(ErrorCode.InvalidInput, `precision must be one of ${storedPrecisions.join(', ')} (got ${JSON.stringify(precision)}).`, { subject: 'precision' });
  }
  if (options.shardBytes !== undefined && !(options.shardBytes > 0)) {
    throw new ColbertError(ErrorCode.InvalidInput, `shardBytes must be positive (got ${options.shardBytes}).`, { subject: 'shardBytes' });
  }
  const device = options.device ?? (await requestScorerDevice(options.gpu ? { gpu: options.gpu } : {}));
  const context = new GpuContext(device, { ownsDevice: !options.device, label: 'colbert-web scorer' });
  return new GpuScorer(context, options);
}

class GpuScorer implements WebGpuScorer {
  readonly backend = 'webgpu' as const;
  readonly dim: number;
  readonly precision: StoredPrecision;
  readonly lost: Promise<DeviceLostInfo>;
  private readonly corpus: GpuCorpus;
  private readonly kernel: 'fused' | 'naive';
  /** Held so that it is not garbage-collected while its device is used (Dawn under Node tears the device down). */
  private readonly gpu: GPU | undefined;

  constructor(
    private readonly context: GpuContext,
    options: CreateWebGpuScorerOptions,
  ) {
    this.dim = options.dim;
    this.precision = options.precision;
    this.kernel = options.kernel ?? 'fused';
    this.gpu = options.gpu;
    const corpusOptions = { dim: this.dim, precision: this.precision, tileTokens: TILE_TOKENS };
    this.corpus = new GpuCorpus(context, options.shardBytes === undefined ? corpusOptions : { ...corpusOptions, shardBytes: options.shardBytes });
    this.lost = context.ended.then((event) =>
      // A deliberate dispose() is not a loss: the promise then stays pending.
      event.kind === 'lost' ? { reason: event.reason, message: event.message } : new Promise<never>(() => {}),
    );
  }

  get device(): GPUDevice {
    return this.context.device;
  }

  get documents(): number {
    return this.corpus.liveCount;
  }

  get tokens(): number {
    return this.corpus.tokens;
  }

  get shards(): number {
    return this.corpus.shards.length;
  }

  memory(): GpuMemoryCounters {
    return this.context.memory();
  }

  async append(batch: DocumentBatch): Promise<void> {
    this.assertUsable();
    validateBatch(batch, this.dim, this.precision, this.corpus.lastSeq);
    if (batch.lengths.length === 0) return;
    this.corpus.append(batch);
    await this.settle();
  }

  remove(seqs: ArrayLike<number>): void {
    this.assertUsable();
    this.corpus.remove(seqs);
  }

  async compact(): Promise<void> {
    this.assertUsable();
    this.corpus.compact();
    await this.settle();
  }

  async score(query: F32TokenMatrix | GpuQuery, options: ScoreOptions): Promise<ScoredDocument[]> {
    this.assertUsable();
    if (isGpuQuery(query)) validateGpuQuery(query, this.dim);
    else validateQuery(query, this.dim);
    const { k } = options;
    if (!Number.isInteger(k) || k < 0) throw new ColbertError(ErrorCode.InvalidInput, `k must be a non-negative integer (got ${k}).`, { subject: 'k' });
    throwIfAborted(options.signal);
    const filter = options.only ? this.corpus.filterBits(options.only) : undefined;
    const candidates = filter ? filter.count : this.corpus.liveCount;
    const take = Math.min(k, candidates);
    if (take === 0) return [];

    const { context, corpus } = this;
    const scratch = new Scratch(context);
    try {
      const { live, seqs } = corpus.prepare();
      const slots = corpus.documents.length;
      const encoder = context.device.createCommandEncoder({ label: 'colbert-web score' });
      const queryBuffers: QueryBuffers = isGpuQuery(query) ? queryFromGpu(encoder, context, scratch, query, this.precision) : uploadQuery(scratch, query, this.precision);
      const input: ScorePassInput = {
        context,
        scratch,
        corpus,
        precision: this.precision,
        dim: this.dim,
        query: queryBuffers,
        live,
        allowed: filter ? scratch.upload(filter.bits, GPUBufferUsage.STORAGE, 'only filter') : live,
        useFilter: filter !== undefined,
        scores: scratch.acquire(slots * 4, GPUBufferUsage.STORAGE, 'scores'),
      };
      if (this.kernel === 'naive') encodeNaiveMaxSim(encoder, input);
      else encodeFusedMaxSim(encoder, input);
      const out = encodeTopK(encoder, { ...input, seqs, slots, take, selectAll: take === candidates });
      context.device.queue.submit([encoder.finish()]);
      const words = new Uint32Array(await context.readBack(out.buffer, 0, take * 8, 'top k'));
      const floats = new Float32Array(words.buffer);
      const results: ScoredDocument[] = Array.from({ length: take }, (_, i) => ({
        seq: out.ordered ? words[2 * i]! : corpus.documents[words[2 * i]!]!.seq,
        score: floats[2 * i + 1]!,
      }));
      if (!out.ordered) results.sort(compareScored);
      if (options.explain) {
        throwIfAborted(options.signal);
        const located = results.map((r) => corpus.documents[corpus.slotOf(r.seq)!]!);
        const matches = await explainDocuments(input, located);
        results.forEach((r, i) => (r.matches = matches[i]!));
      }
      return results;
    } catch (cause) {
      throw await this.failure(cause);
    } finally {
      scratch.release();
    }
  }

  dispose(): void {
    if (this.context.isDisposed) return;
    this.corpus.dispose();
    this.context.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
    await Promise.resolve();
  }

  /** Waits for queued uploads and copies, so that a failed append or lost device surfaces here. */
  private async settle(): Promise<void> {
    try {
      await this.context.device.queue.onSubmittedWorkDone();
    } catch (cause) {
      throw await this.failure(cause);
    }
    this.assertUsable();
  }

  private assertUsable(): void {
    assertUsable(this.context, 'This scorer was disposed; create a new one.');
  }

  private failure(cause: unknown): Promise<unknown> {
    return gpuFailure(this.context, cause);
  }
}
