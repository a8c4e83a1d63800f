import type { GpuContext } from '../context.js';
import { bindings, grid, kernelPipeline } from '../kernels/precision.js';
import type { QueryBuffers } from '../query-buffers.js';
import type { Scratch } from '../scratch.js';
import type { CentroidScores } from './centroid-scores.js';
import type { GpuCompressedCorpus } from './compressed-corpus-gpu.js';
import source from './prune.wgsl.js';

/** Threads per document of `approximate` (one per query token; 32-token queries are the common case). */
const WG = 32;

export interface PrunePassInput {
  context: GpuContext;
  scratch: Scratch;
  corpus: GpuCompressedCorpus;
  query: QueryBuffers;
  centroids: CentroidScores;
}

export interface ApproximateScores {
  /** f32 per slot: stage 2 / stage 3 approximate score of each allowed document, NONE when not a candidate. */
  stage2: GPUBuffer;
  stage3: GPUBuffer;
  /** One u32: how many allowed documents are candidates. */
  candidates: GPUBuffer;
}

const usage = (): GPUBufferUsageFlags => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

function pipeline(context: GpuContext, entryPoint: string): GPUComputePipeline {
  return kernelPipeline(context, { name: 'prune', source, entryPoint, constants: entryPoint === 'approximate' ? { WG } : {} });
}

/**
 * Records the candidate stages (prune.wgsl): each query token's `nprobe` best centroids, then per allowed document
 * of every shard whether it is a candidate and its two approximate scores.
 *
 * @example
 * const approx = encodeCandidates(encoder, input, { nprobe: 2, allowed, slots });
 */
export function encodeCandidates(encoder: GPUCommandEncoder, input: PrunePassInput, options: { nprobe: number; allowed: GPUBuffer; slots: number }): ApproximateScores {
  const { context, scratch, corpus, query, centroids } = input;
  const k = corpus.centroidCount;
  const stage2 = scratch.acquire(options.slots * 4, GPUBufferUsage.STORAGE, 'stage 2 scores');
  const stage3 = scratch.acquire(options.slots * 4, GPUBufferUsage.STORAGE, 'stage 3 scores');
  const candidates = scratch.acquire(4, usage(), 'candidate count');
  encoder.clearBuffer(candidates);
  const pass = encoder.beginComputePass({ label: 'colbert-web compressed candidates' });
  const run = (entryPoint: string, fields: number[], entries: Array<readonly [number, GPUBuffer | undefined]>, groups: [number, number]): void => {
    const p = pipeline(context, entryPoint);
    pass.setPipeline(p);
    pass.setBindGroup(0, context.device.createBindGroup({ label: `colbert-web prune ${entryPoint}`, layout: p.getBindGroupLayout(0), entries: bindings([[0, scratch.params(fields, entryPoint)], ...entries]) }));
    pass.dispatchWorkgroups(...groups);
  };
  if (query.tokens > 0) run('probe', [k, query.tokens, query.padded, Math.min(options.nprobe, k), 0, 0], [[1, centroids.scores], [3, centroids.relevant]], [query.tokens, 1]);
  for (const shard of corpus.shards) {
    const documents = shard.records.length / 4;
    if (documents === 0) continue;
    const groups = grid(context, documents);
    run('approximate', [k, query.tokens, query.padded, 0, documents, groups[0]], [
      [1, centroids.scores], [3, centroids.relevant], [4, shard.codes], [5, corpus.documentTable(shard)],
      [6, options.allowed], [7, stage2], [8, stage3], [9, candidates],
    ], groups);
  }
  pass.end();
  return { stage2, stage3, candidates };
}

/**
 * Records a bitset of the slots in the first `count` (slot, score) pairs of `selected` (a top-n selection), the
 * next stage's filter. The bitset covers `slots` slots.
 *
 * @example
 * const stage2Set = encodeMark(encoder, context, scratch, selected, 256, slots);
 */
export function encodeMark(encoder: GPUCommandEncoder, context: GpuContext, scratch: Scratch, selected: GPUBuffer, count: number, slots: number): GPUBuffer {
  const marked = scratch.acquire(Math.max(1, Math.ceil(slots / 32)) * 4, usage(), 'stage set');
  encoder.clearBuffer(marked);
  const p = pipeline(context, 'mark');
  const [gx, gy] = grid(context, Math.ceil(count / 256));
  const pass = encoder.beginComputePass({ label: 'colbert-web compressed stage set' });
  pass.setPipeline(p);
  pass.setBindGroup(0, context.device.createBindGroup({
    label: 'colbert-web prune mark',
    layout: p.getBindGroupLayout(0),
    entries: bindings([[0, scratch.params([0, 0, 0, 0, count, gx], 'mark')], [10, selected], [11, marked]]),
  }));
  pass.dispatchWorkgroups(gx, gy);
  pass.end();
  return marked;
}
