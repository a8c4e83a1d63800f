import { proxy } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import { startWorker } from './worker-handle.js';
import type { EncodedText } from '../model/prepared.js';
import type { EncodeInput, EncodeOptions, EncoderApi, LoadOptions, ModelSource, RerankOptions } from '../protocol/encoder-api.js';
import type { DocumentInput, Hit } from '../protocol/search-api.js';
import { validateDocuments } from '../protocol/validate-documents.js';
import type { EncoderWorkerApi } from '../worker/encoder-worker.js';

export interface CreateEncoderOptions extends LoadOptions {
  /** A model base URL or the checkpoint's files. */
  model: ModelSource;
}

/** The main-thread handle on an encoder running in its own Web Worker. */
export interface RemoteEncoder extends EncoderApi, AsyncDisposable {}

/**
 * Starts a Web Worker, loads the model in it and returns a handle. Nothing runs on the main thread.
 *
 * @example
 * const encoder = await createEncoder({ model: 'https://huggingface.co/org/model/resolve/main' });
 * const [q] = await encoder.encode([{ text: 'what is colbert?', kind: 'query' }]);
 * console.log(q.rows, q.dim, (await encoder.info()).backend);
 */
export async function createEncoder(options: CreateEncoderOptions): Promise<RemoteEncoder> {
  const handleOf = startWorker<EncoderWorkerApi>(
    new Worker(new URL('../worker/encoder-worker.js', import.meta.url), { type: 'module', name: 'colbert-web encoder' }),
  );
  const { remote } = handleOf;
  const { model, signal, onProgress, ...rest } = options;
  try {
    await Promise.race([remote.load(model, rest, signal, onProgress && proxy(onProgress)), handleOf.failedToStart]);
  } catch (error) {
    handleOf.disconnect();
    throw error;
  }
  const assertOpen = (): void => {
    if (handleOf.closed) throw new ColbertError(ErrorCode.Closed, 'This encoder was closed; create a new one.');
  };
  const handle: RemoteEncoder = {
    async encode(inputs: readonly EncodeInput[], opts: EncodeOptions = {}): Promise<EncodedText[]> {
      assertOpen();
      const { signal, onProgress, ...plain } = opts;
      return remote.encode(inputs, plain, signal, onProgress && proxy(onProgress));
    },
    async rerank(query: string, candidates: readonly DocumentInput[], opts: RerankOptions = {}): Promise<Hit[]> {
      assertOpen();
      // Checked here too, so a value that cannot be posted is a ColbertError, not a DataCloneError.
      validateDocuments(candidates, 'candidates');
      const { signal, onProgress, ...plain } = opts;
      return remote.rerank(query, candidates, plain, signal, onProgress && proxy(onProgress));
    },
    async info() {
      assertOpen();
      return remote.info();
    },
    close: () => handleOf.close(() => remote.close()),
    [Symbol.asyncDispose]() {
      return handle.close();
    },
  };
  return handle;
}
