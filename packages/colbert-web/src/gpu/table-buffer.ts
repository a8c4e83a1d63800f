import type { GpuContext } from './context.js';

/**
 * `data` written to `buffer` when it fits, else to a new long-lived storage buffer (the old one destroyed): a
 * small table (offsets, bits, sequence numbers) re-uploaded from the CPU when it changes.
 *
 * @example
 * this.seqBuffer = writeTable(context, this.seqBuffer, seqs, 'sequence numbers');
 */
export function writeTable(context: GpuContext, buffer: GPUBuffer | undefined, data: Uint32Array, label: string): GPUBuffer {
  const bytes = Math.max(16, data.byteLength);
  if (!buffer || buffer.size < bytes) {
    if (buffer) context.destroyBuffer(buffer);
    buffer = context.createBuffer(bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label);
  }
  if (data.byteLength > 0) context.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}
