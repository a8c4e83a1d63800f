import type { StoredPrecision } from '../../scoring/token-matrix.js';
import type { GpuContext } from '../context.js';
import common from './common.wgsl.js';

/**
 * The one genuine WGSL variant: how a stored row is read and multiplied with the query. Every kernel that touches
 * token vectors is written against this interface:
 * - `Acc`: the accumulator type (f32; i32 for int8, whose dot products are exact integers);
 * - `load_doc(i)`: the i-th 4-value group of the shard's rows (f32: a vec4; f16: two u32 words unpacked with
 *   `unpack2x16float`, so no shader-f16 is needed; int8: one u32 of 4 packed values);
 * - `dot_word(qi, d)`: the same group of the query (padded rows, same packing) times `d`;
 * - `to_score(acc, q, row)`: the float q·d (int8: acc × query scale × row scale).
 * Bindings 1 (query), 2 (rows), 3 (int8 row scales) and 10 (int8 query scales) are reserved for it.
 */
const PRELUDES: Record<StoredPrecision, string> = {
  f32: `
alias Acc = f32;
@group(0) @binding(1) var<storage, read> query: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> docs: array<vec4<f32>>;
fn load_doc(i: u32) -> vec4<f32> { return docs[i]; }
fn dot_word(qi: u32, d: vec4<f32>) -> Acc { return dot(query[qi], d); }
fn to_score(acc: Acc, q: u32, row: u32) -> f32 { return acc; }
`,
  f16: `
alias Acc = f32;
@group(0) @binding(1) var<storage, read> query: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> docs: array<vec2<u32>>;
fn load_doc(i: u32) -> vec4<f32> { let w = docs[i]; return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)); }
fn dot_word(qi: u32, d: vec4<f32>) -> Acc { return dot(query[qi], d); }
fn to_score(acc: Acc, q: u32, row: u32) -> f32 { return acc; }
`,
  int8: `
alias Acc = i32;
@group(0) @binding(1) var<storage, read> query: array<u32>;
@group(0) @binding(2) var<storage, read> docs: array<u32>;
@group(0) @binding(3) var<storage, read> docScales: array<f32>;
@group(0) @binding(10) var<storage, read> queryScales: array<f32>;
fn load_doc(i: u32) -> u32 { return docs[i]; }
fn dot_word(qi: u32, d: u32) -> Acc { return dot4I8Packed(query[qi], d); }
fn to_score(acc: Acc, q: u32, row: u32) -> f32 { return f32(acc) * (queryScales[q] * docScales[row]); }
`,
};

/** The full WGSL of a kernel file for one precision: the precision prelude, common.wgsl, then the kernel. */
export function kernelSource(kernel: string, precision: StoredPrecision): string {
  return `${PRELUDES[precision]}\n${common}\n${kernel}`;
}

export interface KernelPipelineOptions {
  /** The kernel's name in cache keys and labels (`maxsim`). */
  name: string;
  /** WGSL of the kernel file (`?raw` import). */
  source: string;
  entryPoint: string;
  /** Undefined for kernels that read no token vectors (top-k): no prelude then. */
  precision?: StoredPrecision;
  constants?: Record<string, number>;
}

/**
 * The compute pipeline of one entry point, from the context's cache; the key names everything that changes
 * the compiled code (kernel, entry point, precision, override constants).
 *
 * @example
 * const pipeline = kernelPipeline(context, { name: 'maxsim', source, entryPoint: 'maxsim', precision: 'int8', constants: { D4: 24 } });
 */
export function kernelPipeline(context: GpuContext, options: KernelPipelineOptions): GPUComputePipeline {
  const constants = options.constants ?? {};
  const key = [options.name, options.entryPoint, options.precision ?? '-', ...Object.entries(constants).map(([k, v]) => `${k}=${v}`)].join(':');
  return context.pipeline(key, (label) => {
    const code = options.precision ? kernelSource(options.source, options.precision) : `${common}\n${options.source}`;
    const module = context.device.createShaderModule({ label, code });
    return context.device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: options.entryPoint, constants } });
  });
}

/** Workgroup counts for `groups` workgroups as a 2D grid (each dimension is limited, usually to 65,535). */
export function grid(context: GpuContext, groups: number): [number, number] {
  const max = context.device.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [Math.max(1, groups), 1];
  return [max, Math.ceil(groups / max)];
}

/** Bind group entries from (binding, buffer) pairs; undefined buffers (unused variants) are left out. */
export function bindings(pairs: ReadonlyArray<readonly [number, GPUBuffer | undefined]>): GPUBindGroupEntry[] {
  return pairs.flatMap(([binding, buffer]) => (buffer ? [{ binding, resource: { buffer } }] : []));
}
