import type { GpuContext } from '../context.js';
import { bindings, grid, kernelPipeline } from '../kernels/precision.js';
import type { QueryBuffers } from '../query-buffers.js';
import type { Scratch } from '../scratch.js';
import source from './centroid-scores.wgsl.js';
import type { GpuCompressedCorpus } from './compressed-corpus-gpu.js';

/** Centroids per workgroup (`WG` in centroid-scores.wgsl). */
const WG = 64;

export interface CentroidScores {
  /** f32 per (centroid, padded query token), centroid-major. */
  scores: GPUBuffer;
  /**
   * u32 per centroid: 1 when some query token scores at least the threshold with it; prune.wgsl's `probe` then sets
   * bit 1 of the probed ones in the same buffer.
   */
  relevant: GPUBuffer;
}

/** The bits of the smallest float32 ≥ `x`: f32 ≥ it exactly when the float64 comparison with `x` holds. */
export function float32AtLeast(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Uint32Array(f.buffer);
  if (f[0]! < x) bits[0] = f[0] === 0 ? 1 : f[0]! > 0 ? bits[0]! + 1 : bits[0]! - 1;
  return bits[0]!;
}

/**
 * Records S = Q·Cᵀ (centroid-scores.wgsl) over every centroid of `corpus`, and the relevant-centroid flags for
 * `threshold`.
 *
 * @example
 * const { scores, relevant } = encodeCentroidScores(encoder, { context, scratch, corpus, query, threshold: 0.5 });
 */
export function encodeCentroidScores(
  encoder: GPUCommandEncoder,
  input: { context: GpuContext; scratch: Scratch; corpus: GpuCompressedCorpus; query: QueryBuffers; threshold: number },
): CentroidScores {
  const { context, scratch, corpus, query } = input;
  const k = corpus.centroidCount;
  const scores = scratch.acquire(k * query.padded * 4, GPUBufferUsage.STORAGE, 'centroid scores');
  const relevant = scratch.acquire(k * 4, GPUBufferUsage.STORAGE, 'relevant centroids');
  if (query.padded === 0) {
    encoder.clearBuffer(relevant);
    return { scores, relevant };
  }
  const pipeline = kernelPipeline(context, { name: 'centroid-scores', source, entryPoint: 'centroid_scores', constants: { WG, D4: corpus.dim / 4 } });
  const [gx, gy] = grid(context, Math.ceil(k / WG));
  const params = scratch.params([k, query.tokens, query.padded, gx, float32AtLeast(input.threshold)], 'centroid scores');
  const pass = encoder.beginComputePass({ label: 'colbert-web centroid scores' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, context.device.createBindGroup({
    label: 'colbert-web centroid scores',
    layout: pipeline.getBindGroupLayout(0),
    entries: bindings([[0, params], [1, query.values], [2, corpus.centroids], [3, scores], [4, relevant]]),
  }));
  pass.dispatchWorkgroups(gx, gy);
  pass.end();
  return { scores, relevant };
}
