import { ColbertError, ErrorCode } from '../../errors.js';
import { preludeBindings, type ScorePassInput } from './maxsim.js';
import source from './naive.wgsl.js';
import { bindings, grid, kernelPipeline } from './precision.js';

const WG = 64;

/**
 * Records the naive MaxSim (naive.wgsl): per shard the full rows × query-tokens similarity matrix in a buffer,
 * then a max and a sum dispatch. For the benchmark's comparison and as a second oracle; the scorer uses the fused
 * kernel.
 *
 * @example
 * encodeNaiveMaxSim(encoder, input);
 */
export function encodeNaiveMaxSim(encoder: GPUCommandEncoder, input: ScorePassInput): void {
  const { context, scratch, corpus, precision, dim, query } = input;
  const constants = { WG, D4: dim / 4 };
  const pipelines = ['similarities', 'maxima_pass', 'sums'].map((entryPoint) => kernelPipeline(context, { name: 'naive', source, entryPoint, precision, constants }));
  const pass = encoder.beginComputePass({ label: 'colbert-web naive maxsim' });
  for (const shard of corpus.shards) {
    const documents = shard.documents.length;
    if (documents === 0 || query.tokens === 0) continue;
    const bytes = shard.used * query.tokens * 4;
    if (bytes > context.device.limits.maxStorageBufferBindingSize) {
      throw new ColbertError(ErrorCode.InvalidInput, `The naive kernel's similarity matrix (${bytes} bytes) exceeds one binding; use a smaller shardBytes.`, { subject: 'shardBytes' });
    }
    const similarity = scratch.acquire(bytes, GPUBufferUsage.STORAGE, 'similarity matrix');
    const maxima = scratch.acquire(documents * query.tokens * 4, GPUBufferUsage.STORAGE, 'maxima');
    const tables = corpus.tables(shard);
    const threads = [shard.used * query.tokens, documents * query.tokens, documents];
    pipelines.forEach((pipeline, i) => {
      const [gx, gy] = grid(context, Math.ceil(threads[i]! / WG));
      const params = scratch.params([query.tokens, shard.used, documents, gx], 'naive');
      const used: Array<readonly [number, GPUBuffer | undefined]> =
        i === 0 ? [...preludeBindings(input, shard), [4, similarity]] : i === 1 ? [[4, similarity], [5, tables.rowRanges], [6, maxima]] : [[5, tables.rowRanges], [6, maxima], [7, input.scores]];
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, context.device.createBindGroup({ label: 'colbert-web naive maxsim', layout: pipeline.getBindGroupLayout(0), entries: bindings([[0, params], ...used]) }));
      pass.dispatchWorkgroups(gx, gy);
    });
  }
  pass.end();
}
