/// <reference lib="webworker" />
import { expose, transfer } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import type { Encoder } from '../model/encoder.js';
import { loadOnce } from '../model/files/load-once.js';
import { filesFromSource, loadEncoder } from '../model/load-model.js';
import type { EncodeInput, EncodeOptions, LoadOptions, ModelSource, RerankOptions } from '../protocol/encoder-api.js';
import type { DocumentInput } from '../protocol/search-api.js';
import type { ProgressCallback } from '../protocol/progress.js';
import { installTransferHandlers } from '../protocol/transfer-handlers.js';

installTransferHandlers();

let encoder: Encoder | undefined;
let loading: Promise<Encoder> | undefined;

function current(): Promise<Encoder> {
  if (!loading) throw new ColbertError(ErrorCode.Closed, 'No model is loaded in this worker; call load() first.');
  return loading;
}

/** Options as they cross the boundary: comlink handles a signal or a callback only as a whole argument. */
type Plain<T> = Omit<T, 'signal' | 'onProgress'>;

function withCallbacks<T>(options: Plain<T>, signal?: AbortSignal, onProgress?: ProgressCallback): T {
  return { ...options, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) } as T;
}

/** What the worker exposes: `load` once, then `encode`, `rerank`, `info`, `close`. */
const api = {
  async load(source: ModelSource, options: Plain<LoadOptions> = {}, signal?: AbortSignal, onProgress?: ProgressCallback): Promise<void> {
    if (loading) throw new ColbertError(ErrorCode.InvalidInput, 'This worker already holds a model; create another encoder for another model.');
    loading = loadEncoder(loadOnce(filesFromSource(source, options)), withCallbacks<LoadOptions>(options, signal, onProgress));
    try {
      encoder = await loading;
    } catch (error) {
      loading = undefined;
      throw error;
    }
  },
  async encode(inputs: readonly EncodeInput[], options: Plain<EncodeOptions> = {}, signal?: AbortSignal, onProgress?: ProgressCallback) {
    const encoded = await (await current()).encode(inputs, withCallbacks<EncodeOptions>(options, signal, onProgress));
    // Each text's vectors own their buffer: move them instead of copying.
    return transfer(encoded, encoded.map((e) => e.vectors.buffer as ArrayBuffer));
  },
  async rerank(query: string, candidates: readonly DocumentInput[], options: Plain<RerankOptions> = {}, signal?: AbortSignal, onProgress?: ProgressCallback) {
    return (await current()).rerank(query, candidates, withCallbacks<RerankOptions>(options, signal, onProgress));
  },
  async info() {
    const e = await current();
    return { model: e.model, backend: e.backend };
  },
  async close() {
    await encoder?.close();
    encoder = undefined;
    loading = undefined;
  },
};

export type EncoderWorkerApi = typeof api;

expose(api);
