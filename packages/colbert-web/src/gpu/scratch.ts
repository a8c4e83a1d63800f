import type { GpuContext } from './context.js';

/**
 * The transient buffers of one operation (a query: uniforms, the query, scores, tile maxima), taken from the
 * context's pool and all given back at once in `finally`.
 *
 * @example
 * const scratch = new Scratch(context);
 * try { const params = scratch.upload(Uint32Array.of(n, k), GPUBufferUsage.UNIFORM, 'params'); … } finally { scratch.release(); }
 */
export class Scratch {
  private readonly buffers: GPUBuffer[] = [];

  constructor(private readonly context: GpuContext) {}

  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.context.acquire(size, usage, label);
    this.buffers.push(buffer);
    return buffer;
  }

  upload(data: ArrayBufferView<ArrayBuffer>, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.context.upload(data, usage, label);
    this.buffers.push(buffer);
    return buffer;
  }

  /** A uniform buffer of u32 fields (every kernel's Params struct is all u32). */
  params(fields: readonly number[], label: string): GPUBuffer {
    return this.upload(Uint32Array.from(fields), GPUBufferUsage.UNIFORM, `${label} params`);
  }

  release(): void {
    for (const buffer of this.buffers) this.context.release(buffer);
    this.buffers.length = 0;
  }
}
