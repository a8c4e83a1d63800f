import { ColbertError, ErrorCode } from '../errors.js';
import { MAX_SHARED_PAGES } from './maxsim-wasm.generated.js';
import { hasSharedMemory } from './simd-support.js';

const PAGE = 65536;

/**
 * The WebAssembly memory the kernels read, with a bump allocator: new regions are taken from the top and the
 * memory grows in place (`memory.grow`), so appending documents never copies the ones already there. Nothing is
 * freed piecemeal; `reset` starts over (compaction lays everything out again). Views are re-made after a grow,
 * which detaches (private memory) or outgrows (shared memory) the previous buffer.
 *
 * @example
 * const arena = new WasmArena(false, 1024);
 * arena.f32(arena.alloc(4 * n), n).set(values);
 */
export class WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** First address `alloc` hands out; below it the fixed header (job block, scratch). */
  readonly base: number;
  private top: number;
  private buffer: ArrayBufferLike | undefined;
  private u8 = new Uint8Array(0);

  constructor(shared: boolean, base: number) {
    this.shared = shared;
    this.base = base;
    this.top = base;
    const initial = Math.ceil(base / PAGE) + 16;
    this.memory = shared
      ? new WebAssembly.Memory({ initial, maximum: MAX_SHARED_PAGES, shared: true })
      : new WebAssembly.Memory({ initial });
  }

  /** Bytes in use. */
  get used(): number {
    return this.top;
  }

  /** A 16-byte-aligned region of `bytes` bytes, growing the memory if needed. */
  alloc(bytes: number): number {
    const at = (this.top + 15) & ~15;
    this.setTop(at + bytes);
    return at;
  }

  /**
   * Makes `end` the top (what `alloc` hands out next starts there), growing the memory if needed; lowering it
   * forgets what lay above (a corpus mirror moving its columns, a temporary region given back).
   */
  setTop(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least a sixteenth again, so many small appends cost amortised O(1) grows with little slack.
      const pages = Math.max(Math.ceil((end - have) / PAGE), Math.ceil(have / PAGE / 16));
      try {
        this.memory.grow(Math.min(pages, MAX_SHARED_PAGES - have / PAGE));
      } catch (cause) {
        throw new ColbertError(ErrorCode.BackendFailed, `The CPU scorer could not grow its WebAssembly memory to ${end} bytes (4 GiB is the limit); remove and compact documents or use a smaller precision.`, { cause });
      }
      if (end > this.memory.buffer.byteLength) {
        throw new ColbertError(ErrorCode.BackendFailed, `The CPU scorer needs ${end} bytes of WebAssembly memory, over the 4 GiB limit; use int8 precision or fewer documents.`);
      }
    }
    this.top = Math.max(this.base, end);
  }

  /** Forgets every allocation above the header. */
  reset(): void {
    this.top = this.base;
  }

  /** The whole memory as bytes (valid until the next `alloc`). */
  get bytes(): Uint8Array {
    if (this.buffer !== this.memory.buffer) {
      this.buffer = this.memory.buffer;
      this.u8 = new Uint8Array(this.buffer);
    }
    return this.u8;
  }

  u32(at: number, length: number): Uint32Array {
    return new Uint32Array(this.bytes.buffer, at, length);
  }

  i32(at: number, length: number): Int32Array {
    return new Int32Array(this.bytes.buffer, at, length);
  }

  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.bytes.buffer, at, length);
  }

  f64(at: number, length: number): Float64Array {
    return new Float64Array(this.bytes.buffer, at, length);
  }

  i8(at: number, length: number): Int8Array {
    return new Int8Array(this.bytes.buffer, at, length);
  }

  i16(at: number, length: number): Int16Array {
    return new Int16Array(this.bytes.buffer, at, length);
  }
}

function defaultThreads(): number {
  const cpus = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(8, cpus));
}

/**
 * The arena for `threads` threads (default: the logical CPUs, at most 8): shared when more than one thread can
 * run, which needs shared memory (cross-origin isolated pages, Node); else private, with 1 thread.
 *
 * @example
 * const { arena, threads } = openArena(options.threads, 1024);
 */
export function openArena(wanted: number | undefined, base: number): { arena: WasmArena; threads: number } {
  const threads = hasSharedMemory() ? (wanted ?? defaultThreads()) : 1;
  if (threads > 1) {
    try {
      return { arena: new WasmArena(true, base), threads };
    } catch {
      // A shared memory reserves its 4 GiB maximum up front, which a 32-bit or memory-starved browser may refuse.
    }
  }
  return { arena: new WasmArena(false, base), threads: 1 };
}
