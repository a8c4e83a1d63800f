import type { StoredPrecision } from '../../scoring/token-matrix.js';
import type { GpuContext } from '../context.js';
import type { CorpusShard, GpuCorpus } from '../corpus.js';
import type { QueryBuffers } from '../query-buffers.js';
import type { Scratch } from '../scratch.js';
import source from './maxsim.wgsl.js';
import { bindings, grid, kernelPipeline } from './precision.js';

/** Rows per tile = threads per workgroup of the fused kernel (`WG` in maxsim.wgsl). */
export const TILE_TOKENS = 64;

/** What a scoring pass reads and writes: one f32 score per slot into `scores` for every candidate document. */
export interface ScorePassInput {
  context: GpuContext;
  scratch: Scratch;
  corpus: GpuCorpus;
  precision: StoredPrecision;
  dim: number;
  query: QueryBuffers;
  live: GPUBuffer;
  /** The `only` filter's bits (or `live` again when there is none). */
  allowed: GPUBuffer;
  useFilter: boolean;
  scores: GPUBuffer;
}

/** The bindings of the precision prelude (query, rows, scales) for one shard. */
export function preludeBindings(input: ScorePassInput, shard: CorpusShard): Array<readonly [number, GPUBuffer | undefined]> {
  return [
    [1, input.query.values],
    [2, shard.rows],
    [3, shard.scales],
    [10, input.query.scales],
  ];
}

/**
 * Records the fused MaxSim (maxsim.wgsl) for every shard: per shard, one dispatch over its tiles and one over its
 * documents. Removed and filtered-out documents cost one table read per tile.
 *
 * @example
 * encodeFusedMaxSim(encoder, input); // then encodeTopK reads input.scores
 */
export function encodeFusedMaxSim(encoder: GPUCommandEncoder, input: ScorePassInput): void {
  const { context, scratch, corpus, precision, dim, query } = input;
  const constants = { WG: TILE_TOKENS, D4: dim / 4 };
  const tilePipeline = kernelPipeline(context, { name: 'maxsim', source, entryPoint: 'maxsim', precision, constants });
  const combinePipeline = kernelPipeline(context, { name: 'maxsim', source, entryPoint: 'combine', precision, constants: { WG: 64 } });
  const pass = encoder.beginComputePass({ label: 'colbert-web fused maxsim' });
  for (const shard of corpus.shards) {
    const tables = corpus.tables(shard);
    if (tables.tileCount === 0) continue;
    const tileMax = scratch.acquire(tables.tileCount * query.padded * 4, GPUBufferUsage.STORAGE, 'tile maxima');
    const [gx, gy] = grid(context, tables.tileCount);
    const tileParams = scratch.params([query.tokens, query.padded, tables.tileCount, gx, input.useFilter ? 1 : 0], 'maxsim');
    pass.setPipeline(tilePipeline);
    pass.setBindGroup(0, context.device.createBindGroup({
      label: 'colbert-web maxsim tiles',
      layout: tilePipeline.getBindGroupLayout(0),
      entries: bindings([[0, tileParams], ...preludeBindings(input, shard), [4, tables.tiles], [5, input.live], [6, input.allowed], [7, tileMax]]),
    }));
    pass.dispatchWorkgroups(gx, gy);

    const documents = shard.documents.length;
    const [cx, cy] = grid(context, Math.ceil(documents / 64));
    const combineParams = scratch.params([query.tokens, query.padded, documents, cx, input.useFilter ? 1 : 0], 'combine');
    pass.setPipeline(combinePipeline);
    pass.setBindGroup(0, context.device.createBindGroup({
      label: 'colbert-web maxsim combine',
      layout: combinePipeline.getBindGroupLayout(0),
      entries: bindings([[0, combineParams], [5, input.live], [6, input.allowed], [7, tileMax], [8, tables.tileRanges], [9, input.scores]]),
    }));
    pass.dispatchWorkgroups(cx, cy);
  }
  pass.end();
}
