import { quantizeQuery } from '../scoring/query.js';
import type { F32TokenMatrix, StoredPrecision } from '../scoring/token-matrix.js';
import type { GpuContext } from './context.js';
import { encodeQuantizeQuery } from './kernels/quantize-query.js';
import type { Scratch } from './scratch.js';

/** Query tokens per register block of the fused kernel (`QB` in maxsim.wgsl). */
export const QUERY_BLOCK = 8;

/** The query as the kernels read it: rows padded with zeros to a multiple of QUERY_BLOCK (or the caller's block). */
export interface QueryBuffers {
  tokens: number;
  padded: number;
  /** f32/f16 corpora: float32 rows; int8: rows quantised with `quantizeQuery`, 4 values per u32. */
  values: GPUBuffer;
  /** int8 only: one scale per (padded) query token. */
  scales: GPUBuffer | undefined;
}

/**
 * A query whose float32 rows are already on the scorer's device (the encoder's output left on the GPU):
 * `rows` × `dim` values, row-major, from byte `offset` (default 0, a multiple of 4) of `buffer`. The buffer needs
 * STORAGE and COPY_SRC usage and must stay valid until `score()` has settled.
 */
export interface GpuQuery {
  buffer: GPUBuffer;
  offset?: number;
  rows: number;
  dim: number;
}

/**
 * Uploads a validated query for a corpus stored in `precision`.
 *
 * @example
 * const q = uploadQuery(scratch, query, 'int8'); // q.values: packed int8, q.scales: per-token scales
 */
export function uploadQuery(scratch: Scratch, query: F32TokenMatrix, precision: StoredPrecision, block = QUERY_BLOCK): QueryBuffers {
  const { dim, rows } = query;
  const padded = Math.ceil(rows / block) * block;
  const usage = GPUBufferUsage.STORAGE;
  if (precision !== 'int8') {
    const values = new Float32Array(Math.max(4, padded * dim));
    values.set(query.values);
    return { tokens: rows, padded, values: scratch.upload(values, usage, 'query'), scales: undefined };
  }
  const quantised = quantizeQuery(query);
  const values = new Int8Array(Math.max(16, padded * dim));
  values.set(quantised.values);
  const scales = new Float32Array(Math.max(4, padded));
  scales.set(quantised.scales);
  return {
    tokens: rows,
    padded,
    values: scratch.upload(new Uint32Array(values.buffer), usage, 'query int8'),
    scales: scratch.upload(scales, usage, 'query scales'),
  };
}

/**
 * The query buffers from a query already on the device, recorded into `encoder` (submit it before the passes that
 * read them): f32/f16 corpora copy the rows GPU→GPU and zero the padding; int8 corpora quantise on the GPU
 * (quantize-query.wgsl), to the integers and scales `uploadQuery` would upload.
 *
 * @example
 * const q = queryFromGpu(encoder, context, scratch, { buffer: tensor.gpuBuffer, rows: 32, dim: 96 }, 'int8');
 */
export function queryFromGpu(encoder: GPUCommandEncoder, context: GpuContext, scratch: Scratch, query: GpuQuery, precision: StoredPrecision, block = QUERY_BLOCK): QueryBuffers {
  const { dim, rows } = query;
  const offset = query.offset ?? 0;
  const padded = Math.ceil(rows / block) * block;
  if (precision === 'int8') {
    const { values, scales } = encodeQuantizeQuery(encoder, { context, scratch, source: query.buffer, offset: offset / 4, rows, padded, dim });
    return { tokens: rows, padded, values, scales };
  }
  const bytes = rows * dim * 4;
  const size = Math.max(16, padded * dim * 4);
  const values = scratch.acquire(size, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'query');
  if (bytes > 0) encoder.copyBufferToBuffer(query.buffer, offset, values, 0, bytes);
  // Pooled buffers hold old data: the padding rows (and the pool bucket's slack) must read as zeros.
  encoder.clearBuffer(values, bytes, values.size - bytes);
  return { tokens: rows, padded, values, scales: undefined };
}
