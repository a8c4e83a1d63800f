import { compressedWasm } from './compressed-wasm.generated.js';
import { maxsimWasm } from './maxsim-wasm.generated.js';
import type { SimdLevel } from './simd-support.js';

/** The kernels' exports (see packages/colbert-web/assembly/maxsim.ts); every argument is a byte address. */
export interface MaxSimExports {
  scoreF32(job: number): void;
  scoreInt8(job: number): void;
  explainF32(job: number, doc: number, outIndex: number, outScore: number): void;
  explainInt8(job: number, doc: number, outIndex: number, outScore: number): void;
  dotsInt8(job: number, doc: number, out: number): void;
}

/** The compressed-index kernels' exports (packages/colbert-web/assembly/compressed.ts): each takes a job block's address. */
export interface CompressedExports {
  centroidScores(job: number): void;
  probe(job: number): void;
  residualTable(job: number): void;
  approximateScores(job: number): void;
  exactScores(job: number): void;
  assignCentroids(job: number): void;
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

function compileOnce(name: string, base64: string): Promise<WebAssembly.Module> {
  let module = compiled.get(name);
  if (!module) {
    module = WebAssembly.compile(decodeBase64(base64));
    compiled.set(name, module);
  }
  return module;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The compiled module for a SIMD level and memory kind, compiled once per process and shared by scorers.
 *
 * @example
 * const kernels = await instantiateMaxSim(await maxsimModule('plain', false), memory);
 */
export function maxsimModule(simd: SimdLevel, shared: boolean): Promise<WebAssembly.Module> {
  const name = `${simd}${shared ? 'Shared' : ''}` as keyof typeof maxsimWasm;
  return compileOnce(`maxsim-${name}`, maxsimWasm[name]);
}

/**
 * The compressed-index kernels (plain SIMD only: they build indexes) for a memory kind, compiled once per process.
 *
 * @example
 * const kernels = await instantiateCompressed(await compressedModule(true), arena.memory);
 */
export function compressedModule(shared: boolean): Promise<WebAssembly.Module> {
  const name = shared ? 'plainShared' : 'plain';
  return compileOnce(`compressed-${name}`, compressedWasm[name]);
}

/**
 * Instantiates the compressed-index kernels on a memory.
 *
 * @example
 * const { centroidScores } = await instantiateCompressed(module, arena.memory);
 */
export async function instantiateCompressed(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<CompressedExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as CompressedExports;
}

/**
 * Instantiates the kernels on a memory (the same module and memory in every worker thread).
 *
 * @example
 * const { scoreInt8 } = await instantiateMaxSim(module, arena.memory);
 */
export async function instantiateMaxSim(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<MaxSimExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as MaxSimExports;
}
