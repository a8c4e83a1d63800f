/**
 * The encoder's session on onnxruntime-node (Node only; reached from the `colbert-web/node` entry through a dynamic
 * import, never from the browser bundle). Runs the same graph bytes as the onnxruntime-web session.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { Tensor } from 'onnxruntime-web';
import ort from 'onnxruntime-node';
import { ColbertError, ErrorCode } from '../errors.js';
import type { NativeBackendInfo } from '../protocol/encoder-api.js';
import type { OrtSession, OrtSessionOptions } from './ort-session.js';

/**
 * A session on onnxruntime-node: the CUDA execution provider when its libraries are installed next to the binding
 * (onnxruntime-node's install script fetches them; this repository skips that download) and it starts, else the CPU
 * execution provider with `threads` intra-op threads (default: every core).
 *
 * @example
 * const session = await createNativeSession(buildEncoderGraph(checkpoint), { threads: 8 });
 * session.backend; // { name: 'native', provider: 'cpu', threads: 8, version: '1.30.0' }
 */
export async function createNativeSession(model: Uint8Array, options: OrtSessionOptions = {}): Promise<OrtSession> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new ColbertError(ErrorCode.InvalidInput, `threads must be a positive integer (got ${String(threads)}).`, { subject: 'threads' });
  }
  const base: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' };
  let cudaSkipped: string | undefined = 'not installed';
  if (cudaInstalled()) {
    try {
      const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cuda'] });
      return new NativeSession(session, { name: 'native', provider: 'cuda', threads, version: ort.env.versions.node ?? 'unknown' });
    } catch (cause) {
      cudaSkipped = (cause as Error).message.split('\n')[0];
    }
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
  } catch (cause) {
    throw new ColbertError(ErrorCode.BackendFailed, `onnxruntime-node could not create a CPU session: ${(cause as Error).message}. Use backend 'wasm'.`, { cause, subject: 'backend' });
  }
  return new NativeSession(session, { name: 'native', provider: 'cpu', threads, version: ort.env.versions.node ?? 'unknown', ...(cudaSkipped ? { cudaSkipped } : {}) });
}

/** The CUDA provider library onnxruntime-node loads, beside its binding for this platform. */
function cudaInstalled(): boolean {
  const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
  return existsSync(join(root, '..', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
}

class NativeSession implements OrtSession {
  readonly outputLocation = 'cpu' as const;
  #released = false;

  constructor(
    private readonly session: ort.InferenceSession,
    readonly backend: NativeBackendInfo,
  ) {}

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    // onnxruntime-web's Tensor class is another realm's copy of onnxruntime-common: wrap the same data in this
    // runtime's class (no copy). Outputs are CPU tensors of the same interface.
    const native = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor(t.type as 'int64', t.data as BigInt64Array, t.dims)]));
    return (await this.session.run(native)) as Record<string, Tensor>;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.session.release();
  }
}
