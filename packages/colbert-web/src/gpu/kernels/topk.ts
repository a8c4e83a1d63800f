import type { GpuContext } from '../context.js';
import type { Scratch } from '../scratch.js';
import { bindings, kernelPipeline } from './precision.js';
import source from './topk.wgsl.js';

/** Above this k the O(k²) ranking kernel gives way to sorting the k read-back pairs on the CPU. */
export const GPU_RANK_LIMIT = 4096;
/** Radix-select passes: 64-bit keys, 8 bits a pass. */
const DIGIT_PASSES = 8;
/** Workgroups of the grid-stride kernels (histogram, compact). */
const MAX_GROUPS = 1024;

export interface TopKInput {
  context: GpuContext;
  scratch: Scratch;
  scores: GPUBuffer;
  live: GPUBuffer;
  allowed: GPUBuffer;
  useFilter: boolean;
  seqs: GPUBuffer;
  /** Slots (documents, removed included) covered by `scores`. */
  slots: number;
  /** How many to select: min(k, candidates), at least 1. */
  take: number;
  /** `take` equals the number of candidates: no selection needed, every candidate is taken. */
  selectAll: boolean;
  /** false: only the set is wanted (unordered (slot, score) pairs), skip the ranking pass. Default true. */
  rank?: boolean;
}

/** Where the result lies after the commands ran: ranked (seq, score bits) pairs, or unordered (slot, score bits). */
export type TopKOutput = { ordered: true; buffer: GPUBuffer } | { ordered: false; buffer: GPUBuffer };

/**
 * Records top-k selection (topk.wgsl): radix select of the k-th largest (score, −slot) key, compaction of the k
 * documents at or above it, then ranking. Only `take` pairs need reading back.
 *
 * @example
 * const out = encodeTopK(encoder, { ...buffers, slots: corpus.documents.length, take: 10, selectAll: false });
 */
export function encodeTopK(encoder: GPUCommandEncoder, input: TopKInput): TopKOutput {
  const { context, scratch, take } = input;
  const pipeline = (entryPoint: string): GPUComputePipeline => kernelPipeline(context, { name: 'topk', source, entryPoint });
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const params = scratch.params([input.slots, take, input.selectAll ? 1 : 0, input.useFilter ? 1 : 0], 'topk');
  const state = scratch.upload(Uint32Array.of(0, 0, take, 0, 0, 0, 0, 0), storage, 'topk state');
  const hist = scratch.acquire(256 * 4, storage | GPUBufferUsage.COPY_DST, 'topk histogram');
  const selected = scratch.acquire(take * 8, storage, 'topk selected');
  const ranked = input.rank !== false && take <= GPU_RANK_LIMIT ? scratch.acquire(take * 8, storage, 'topk ranked') : undefined;
  encoder.clearBuffer(hist, 0, 256 * 4);

  const all: Record<number, GPUBuffer | undefined> = { 0: params, 1: input.scores, 2: input.live, 3: input.allowed, 4: input.seqs, 5: state, 6: hist, 7: selected, 8: ranked };
  const run = (pass: GPUComputePassEncoder, entryPoint: string, used: readonly number[], groups: number): void => {
    const p = pipeline(entryPoint);
    pass.setPipeline(p);
    pass.setBindGroup(0, context.device.createBindGroup({ label: `colbert-web topk ${entryPoint}`, layout: p.getBindGroupLayout(0), entries: bindings(used.map((b) => [b, all[b]] as const)) }));
    pass.dispatchWorkgroups(groups);
  };
  const strided = Math.min(MAX_GROUPS, Math.max(1, Math.ceil(input.slots / 256)));
  const pass = encoder.beginComputePass({ label: 'colbert-web topk' });
  if (!input.selectAll) {
    for (let i = 0; i < DIGIT_PASSES; i++) {
      run(pass, 'histogram', [0, 1, 2, 3, 5, 6], strided);
      run(pass, 'select_digit', [5, 6], 1);
    }
  }
  run(pass, 'compact', [0, 1, 2, 3, 5, 7], strided);
  if (ranked) run(pass, 'rank', [0, 4, 7, 8], Math.ceil(take / 256));
  pass.end();
  return ranked ? { ordered: true, buffer: ranked } : { ordered: false, buffer: selected };
}
