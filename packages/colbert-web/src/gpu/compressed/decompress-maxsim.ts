import type { GpuContext } from '../context.js';
import { bindings, grid, kernelPipeline } from '../kernels/precision.js';
import type { QueryBuffers } from '../query-buffers.js';
import type { Scratch } from '../scratch.js';
import type { GpuCompressedCorpus } from './compressed-corpus-gpu.js';
import source from './decompress-maxsim.wgsl.js';

/** Threads (tokens in flight) per document (`WG` in decompress-maxsim.wgsl). */
const WG = 64;
/** Query tokens per register block (`QB` in decompress-maxsim.wgsl): the query must be padded to a multiple. */
export const DECODE_QUERY_BLOCK = 32;

export interface ExactPassInput {
  context: GpuContext;
  scratch: Scratch;
  corpus: GpuCompressedCorpus;
  query: QueryBuffers;
  /** Bits of the slots to score. */
  allowed: GPUBuffer;
  /** Pruned mode: the stage-3 scores, NONE marking a selected document that is no candidate (exact mode: undefined, `allowed` fills the binding). */
  approximate: GPUBuffer | undefined;
  slots: number;
}

/**
 * Records exact MaxSim with in-kernel decompression (decompress-maxsim.wgsl) of every allowed document of every
 * shard; returns the f32 score per slot (only allowed slots are written).
 *
 * @example
 * const scores = encodeExactMaxSim(encoder, { context, scratch, corpus, query, allowed, approximate: undefined, slots });
 */
export function encodeExactMaxSim(encoder: GPUCommandEncoder, input: ExactPassInput): GPUBuffer {
  const { context, scratch, corpus, query } = input;
  const scores = scratch.acquire(input.slots * 4, GPUBufferUsage.STORAGE, 'exact scores');
  const pipeline = kernelPipeline(context, { name: 'decompress-maxsim', source, entryPoint: 'exact', constants: { WG, D4: corpus.dim / 4, NBITS: corpus.nbits } });
  const pass = encoder.beginComputePass({ label: 'colbert-web decompressed maxsim' });
  for (const shard of corpus.shards) {
    const documents = shard.records.length / 4;
    if (documents === 0) continue;
    const [gx, gy] = grid(context, documents);
    const params = scratch.params([query.tokens, query.padded, documents, gx, corpus.residualBytes / 4, input.approximate ? 1 : 0, corpus.weightsAt, 0], 'decompressed maxsim');
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, context.device.createBindGroup({
      label: 'colbert-web decompressed maxsim',
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings([
        [0, params], [1, query.values], [2, corpus.centroids], [4, shard.codes], [5, shard.residuals],
        [6, corpus.documentTable(shard)], [7, input.allowed], [8, input.approximate ?? input.allowed], [9, scores],
      ]),
    }));
    pass.dispatchWorkgroups(gx, gy);
  }
  pass.end();
  return scores;
}
