/// <reference lib="webworker" />
import { expose, transfer } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import type { Encoder } from '../model/encoder.js';
import { filesFromSource, loadEncoder } from '../model/load-model.js';
import type { EncodeInput, EncodeOptions, EncoderApi, LoadOptions, ModelSource } from '../protocol/encoder-api.js';
import { installTransferHandlers } from '../protocol/transfer-handlers.js';

installTransferHandlers();

let encoder: Encoder | undefined;
let loading: Promise<Encoder> | undefined;

function current(): Promise<Encoder> {
  if (!loading) throw new ColbertError(ErrorCode.Closed, 'No model is loaded in this worker; call load() first.');
  return loading;
}

/** What the worker exposes: `load` once, then the EncoderApi. */
const api: EncoderApi & { load(source: ModelSource, options?: LoadOptions): Promise<void> } = {
  async load(source, options = {}) {
    if (loading) throw new ColbertError(ErrorCode.InvalidInput, 'This worker already holds a model; create another encoder for another model.');
    loading = loadEncoder(filesFromSource(source), options);
    try {
      encoder = await loading;
    } catch (error) {
      loading = undefined;
      throw error;
    }
  },
  async encode(inputs: readonly EncodeInput[], options: EncodeOptions = {}) {
    const encoded = await (await current()).encode(inputs, options);
    // Each text's vectors own their buffer: move them instead of copying.
    return transfer(encoded, encoded.map((e) => e.vectors.buffer as ArrayBuffer));
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
