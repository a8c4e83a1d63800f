import type { GpuContext } from '../context.js';
import type { Scratch } from '../scratch.js';
import { bindings } from './precision.js';
import source from './quantize-query.wgsl.js';

/** Threads per query row: one per 4-value group, so dims up to 128 (`WG` in quantize-query.wgsl). */
const THREADS = 32;

export interface QuantizeQueryInput {
  context: GpuContext;
  scratch: Scratch;
  /** float32 query rows, row-major, on `context.device`. */
  source: GPUBuffer;
  /** Index of the query's first float32 in `source`. */
  offset: number;
  rows: number;
  /** Rows to write, `rows` and then zero rows (a multiple of the kernels' query block). */
  padded: number;
  dim: number;
}

/**
 * Records the query's int8 quantisation (quantize-query.wgsl) and returns the buffers it fills: the packed layout
 * `uploadQuery` writes for int8 corpora, with the same integers and scales as `quantizeQuery` (its reference).
 *
 * @example
 * const { values, scales } = encodeQuantizeQuery(encoder, { context, scratch, source: gpuBuffer, offset: 0, rows: 32, padded: 32, dim: 96 });
 */
export function encodeQuantizeQuery(encoder: GPUCommandEncoder, input: QuantizeQueryInput): { values: GPUBuffer; scales: GPUBuffer } {
  const { context, scratch, rows, padded, dim } = input;
  if (dim % 4 !== 0 || dim / 4 > THREADS) throw new RangeError(`quantize-query handles dims of 4 to ${THREADS * 4} in steps of 4 (got ${dim}).`);
  const constants = { D4: dim / 4, WG: THREADS };
  const key = `quantize-query:quantize_query:D4=${constants.D4}:WG=${THREADS}`;
  const pipeline = context.pipeline(key, (label) =>
    context.device.createComputePipeline({
      label,
      layout: 'auto',
      compute: { module: context.device.createShaderModule({ label, code: source }), entryPoint: 'quantize_query', constants },
    }),
  );
  const values = scratch.acquire(Math.max(16, padded * dim), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'query int8');
  const scales = scratch.acquire(Math.max(16, padded * 4), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'query scales');
  const params = scratch.params([rows, padded, input.offset], 'quantize query');
  const pass = encoder.beginComputePass({ label: 'colbert-web quantize query' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, context.device.createBindGroup({
    label: 'colbert-web quantize query',
    layout: pipeline.getBindGroupLayout(0),
    entries: bindings([[0, params], [1, input.source], [2, values], [3, scales]]),
  }));
  pass.dispatchWorkgroups(padded);
  pass.end();
  return { values, scales };
}
