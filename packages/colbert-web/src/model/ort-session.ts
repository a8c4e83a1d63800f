import * as ort from 'onnxruntime-web';
import { ColbertError, ErrorCode } from '../errors.js';
import type { BackendInfo, BackendPreference } from '../protocol/encoder-api.js';

/** Runs an ONNX model (bytes) with onnxruntime-web and reports which backend really ran. */
export interface OrtSession {
  readonly backend: BackendInfo;
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

export interface OrtSessionOptions {
  backend?: BackendPreference;
  /** WASM threads wanted; ORT lowers it to 1 where threads are unavailable (not cross-origin isolated). */
  threads?: number;
}

export async function createOrtSession(model: Uint8Array, options: OrtSessionOptions = {}): Promise<OrtSession> {
  const wanted = options.threads ?? defaultThreads();
  // numThreads is read once, when the WASM runtime starts; later sessions share that runtime.
  if (!initialised) ort.env.wasm.numThreads = wanted;
  initialised = true;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (cause) {
    throw new ColbertError(ErrorCode.BackendFailed, `onnxruntime-web could not create a WASM session: ${(cause as Error).message}`, { cause });
  }
  // ORT rewrites env.wasm.numThreads to 1 when multi-threading is unavailable: read back what it uses.
  const backend: BackendInfo = { name: 'wasm', threads: ort.env.wasm.numThreads ?? 1, simd: ort.env.wasm.simd !== false };
  return {
    backend,
    run: (feeds) => session.run(feeds) as Promise<Record<string, ort.Tensor>>,
    release: () => session.release(),
  };
}

let initialised = false;

function defaultThreads(): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(4, cores));
}
