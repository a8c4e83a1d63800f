/**
 * How a GpuContext's device ended: `disposed` when this context let it go on purpose (dispose()), `lost` when
 * the driver, the browser or another owner of a shared device took it away.
 */
export type GpuContextEndEvent =
  | { readonly kind: 'disposed' }
  | { readonly kind: 'lost'; readonly reason: string; readonly message: string };

export interface GpuContextOptions {
  /** Destroy the device in dispose(): true for a device made for the scorer, false for onnxruntime's shared one. */
  ownsDevice?: boolean;
  /** Prefix of every GPU object's label. */
  label?: string;
}

/** Bytes held by a context's buffers: in use, and idle in the pool waiting for reuse. */
export interface GpuMemoryCounters {
  inUseBytes: number;
  pooledBytes: number;
}

/** Pooled buffers come in power-of-two sizes from 256 bytes, so a slightly larger request reuses a buffer. */
function bucketSize(size: number): number {
  return Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(1, size))));
}

/**
 * One device with what every kernel needs around it: a pipeline cache keyed by an explicit string, a pool of
 * transient buffers bucketed by size, byte counters, and `device.lost` as a typed event.
 *
 * @example
 * const context = new GpuContext(device, { ownsDevice: false });
 * const pipeline = context.pipeline('maxsim:f32:96', () => device.createComputePipeline({ ... }));
 * void context.ended.then((event) => { if (event.kind === 'lost') fallBackToCpu(event.message); });
 */
export class GpuContext {
  readonly device: GPUDevice;
  /** Resolves once, when the device ends; never rejects. */
  readonly ended: Promise<GpuContextEndEvent>;
  private readonly owns: boolean;
  private readonly label: string;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly pool = new Map<string, GPUBuffer[]>();
  private readonly owned = new Set<GPUBuffer>();
  private readonly counters: GpuMemoryCounters = { inUseBytes: 0, pooledBytes: 0 };
  private disposed = false;
  private lostEvent: GpuContextEndEvent | undefined;
  private resolveEnded: ((event: GpuContextEndEvent) => void) | undefined;

  constructor(device: GPUDevice, options: GpuContextOptions = {}) {
    this.device = device;
    this.owns = options.ownsDevice ?? false;
    this.label = options.label ?? 'colbert-web';
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    void device.lost.then((info) => {
      // A shared device destroyed by its other owner is a loss to us; only our own dispose() is deliberate.
      this.end(this.disposed ? { kind: 'disposed' } : { kind: 'lost', reason: info.reason, message: info.message });
    });
  }

  /** The loss, once it happened (undefined while the device works or after a deliberate dispose). */
  get lost(): Extract<GpuContextEndEvent, { kind: 'lost' }> | undefined {
    return this.lostEvent?.kind === 'lost' ? this.lostEvent : undefined;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  memory(): Readonly<GpuMemoryCounters> {
    return { ...this.counters };
  }

  /** The pipeline cached under `key`, created by `create` the first time. */
  pipeline(key: string, create: (label: string) => GPUComputePipeline): GPUComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = create(`${this.label} ${key}`);
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /** A long-lived buffer (corpus shards, tables) of exactly `size` bytes, counted until `destroyBuffer`. */
  createBuffer(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage, label: `${this.label} ${label}` });
    this.owned.add(buffer);
    this.counters.inUseBytes += buffer.size;
    return buffer;
  }

  destroyBuffer(buffer: GPUBuffer): void {
    if (!this.owned.delete(buffer)) return;
    this.counters.inUseBytes -= buffer.size;
    buffer.destroy();
  }

  /** A transient buffer of at least `size` bytes from the pool; give it back with `release`. */
  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const bucket = bucketSize(size);
    const free = this.pool.get(`${usage}:${bucket}`);
    const reused = free?.pop();
    if (reused) {
      this.counters.pooledBytes -= reused.size;
      this.counters.inUseBytes += reused.size;
      this.owned.add(reused);
      return reused;
    }
    return this.createBuffer(bucket, usage, `pool ${label}`);
  }

  release(buffer: GPUBuffer): void {
    if (!this.owned.delete(buffer)) return;
    this.counters.inUseBytes -= buffer.size;
    if (this.disposed) return buffer.destroy();
    const key = `${buffer.usage}:${buffer.size}`;
    const free = this.pool.get(key) ?? [];
    free.push(buffer);
    this.pool.set(key, free);
    this.counters.pooledBytes += buffer.size;
  }

  /** A transient buffer holding `data` (uploaded with writeBuffer). */
  upload(data: ArrayBufferView<ArrayBuffer>, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.acquire(data.byteLength, usage | GPUBufferUsage.COPY_DST, label);
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  /**
   * Copies `size` bytes at `offset` of `source` back to the CPU, after the commands already submitted. The staging
   * buffer lives only for this call.
   */
  async readBack(source: GPUBuffer, offset: number, size: number, label: string): Promise<ArrayBuffer> {
    if (size === 0) return new ArrayBuffer(0);
    const staging = this.device.createBuffer({ size: Math.ceil(size / 4) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `${this.label} staging ${label}` });
    try {
      const encoder = this.device.createCommandEncoder({ label: `${this.label} read back ${label}` });
      encoder.copyBufferToBuffer(source, offset, staging, 0, staging.size);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      return staging.getMappedRange().slice(0, size);
    } finally {
      staging.destroy();
    }
  }

  /** Releases every buffer and pipeline; destroys the device only when this context owns it. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const buffer of this.owned) buffer.destroy();
    for (const free of this.pool.values()) for (const buffer of free) buffer.destroy();
    this.owned.clear();
    this.pool.clear();
    this.pipelines.clear();
    this.counters.inUseBytes = 0;
    this.counters.pooledBytes = 0;
    if (this.owns) this.device.destroy();
    // A shared device lives on: the context ends here, not when the device does.
    else this.end({ kind: 'disposed' });
  }

  private end(event: GpuContextEndEvent): void {
    if (this.lostEvent) return;
    this.lostEvent = event;
    this.resolveEnded?.(event);
  }
}
