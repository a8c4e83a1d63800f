import { quantizeQuery } from '../scoring/query.js';
import type { F32TokenMatrix, StoredPrecision } from '../scoring/token-matrix.js';
import type { Scratch } from './scratch.js';

/** Query tokens per register block of the fused kernel (`QB` in maxsim.wgsl). */
export const QUERY_BLOCK = 8;

/** The query as the kernels read it: rows padded with zeros to a multiple of QUERY_BLOCK. */
export interface QueryBuffers {
  tokens: number;
  padded: number;
  /** f32/f16 corpora: float32 rows; int8: rows quantised with `quantizeQuery`, 4 values per u32. */
  values: GPUBuffer;
  /** int8 only: one scale per (padded) query token. */
  scales: GPUBuffer | undefined;
}

/**
 * Uploads a validated query for a corpus stored in `precision`.
 *
 * @example
 * const q = uploadQuery(scratch, query, 'int8'); // q.values: packed int8, q.scales: per-token scales
 */
export function uploadQuery(scratch: Scratch, query: F32TokenMatrix, precision: StoredPrecision): QueryBuffers {
  const { dim, rows } = query;
  const padded = Math.ceil(rows / QUERY_BLOCK) * QUERY_BLOCK;
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
