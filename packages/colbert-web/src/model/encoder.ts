import { Tensor } from 'onnxruntime-web';
import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { BackendInfo, EncodeInput, EncodeOptions, LoadOptions, ModelInfo, RerankOptions } from '../protocol/encoder-api.js';
import type { DocumentInput, Hit } from '../protocol/search-api.js';
import { planBatches } from './batching.js';
import type { LoadedCheckpoint } from './checkpoint.js';
import { isExportCheckpoint } from './checkpoint.js';
import { prepareTexts } from './colbert-prep.js';
import { createExportSession } from './export-session.js';
import { assertPoolFactor, poolDocument } from './pooling/pool-document.js';
import { ATTENTION_MASK, EMBEDDINGS, INPUT_IDS, buildEncoderGraph, hasInt8Linears } from './graph/build-graph.js';
import type { OrtSession, SessionFactory } from './ort-session.js';
import { createOrtSession } from './ort-session.js';
import type { EncodedQuery, EncodedText, OutputLocation, PreparedText } from './prepared.js';
import { rerank } from './rerank.js';
import type { ColbertTokenizer } from './tokenizer.js';
import { createTokenizer } from './tokenizer.js';

const DEFAULT_MAX_BATCH_TOKENS = 8192;
/** Texts prepared and encoded together; bounds the memory of one step of a long input list. */
const WINDOW = 256;

/**
 * The ColBERT encoder: tokenizer + ColBERT preparation + the checkpoint's ONNX graph on onnxruntime-web.
 * Runs in the worker in the browser, in-process under Node.
 */
export class Encoder {
  private closed = false;

  private constructor(
    readonly checkpoint: LoadedCheckpoint,
    readonly tokenizer: ColbertTokenizer,
    private readonly session: OrtSession,
    private readonly maxBatchTokens: number,
    private readonly int8Compute: boolean,
  ) {}

  /** Builds the encoder of a loaded checkpoint on onnxruntime-web. */
  static create(checkpoint: LoadedCheckpoint, options: LoadOptions = {}): Promise<Encoder> {
    return Encoder.createWith(checkpoint, options, createOrtSession);
  }

  /**
   * @internal `createSession` runs the network (`colbert-web/node` passes onnxruntime-node's). Kept out of the
   * published types: a session's types are onnxruntime's, which need the DOM and WebGPU libs.
   */
  static async createWith(checkpoint: LoadedCheckpoint, options: LoadOptions, createSession: SessionFactory): Promise<Encoder> {
    const { signal, onProgress } = options;
    const tokenizer = createTokenizer(checkpoint.tokenizer, checkpoint.settings);
    throwIfAborted(signal);
    // Outputs stay on the GPU on WebGPU: queries go to the scorer from there, documents are read back per run.
    const sessionOptions = { backend: options.backend ?? 'auto', outputLocation: 'gpu-buffer' as const, ...(options.threads ? { threads: options.threads } : {}) };
    // A published ONNX export is the graph (the head runs after it); otherwise the graph is built from the weights.
    // int8 weights run as int8 (MatMulInteger) on CPU backends: WASM when asked for, and onnxruntime-node (any
    // factory but onnxruntime-web's). With 'auto' the backend is known only once the session exists, so the float32
    // graph goes first and, where it landed on WASM, the int8 graph replaces it.
    const int8 = !isExportCheckpoint(checkpoint) && options.int8Compute !== false && hasInt8Linears(checkpoint.backbone);
    const cpu = options.backend === 'wasm' || createSession !== createOrtSession;
    const network = isExportCheckpoint(checkpoint) ? checkpoint : buildEncoderGraph(checkpoint, { int8Compute: int8 && cpu });
    onProgress?.({ phase: 'load', step: 'graph', loaded: 1, total: 1 });
    throwIfAborted(signal);
    let int8Compute = int8 && cpu;
    let session = network instanceof Uint8Array ? await createSession(network, sessionOptions) : await createExportSession(network, sessionOptions, createSession);
    if (int8 && !cpu && session.backend.name === 'wasm' && !isExportCheckpoint(checkpoint)) {
      await session.release();
      throwIfAborted(signal);
      session = await createSession(buildEncoderGraph(checkpoint, { int8Compute: true }), { ...sessionOptions, backend: 'wasm' });
      int8Compute = true;
    }
    onProgress?.({ phase: 'load', step: 'session', loaded: 1, total: 1 });
    const maxBatchTokens = options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS;
    if (!Number.isSafeInteger(maxBatchTokens) || maxBatchTokens < 1) {
      throw new ColbertError(ErrorCode.InvalidInput, `maxBatchTokens must be a positive integer (got ${String(maxBatchTokens)}).`, { subject: 'maxBatchTokens' });
    }
    return new Encoder(checkpoint, tokenizer, session, maxBatchTokens, int8Compute);
  }

  get backend(): BackendInfo {
    return this.session.backend;
  }

  get model(): ModelInfo {
    const { backbone, settings, location, dim } = this.checkpoint;
    return {
      location,
      architecture: backbone.kind,
      dim,
      queryLength: settings.queryLength,
      documentLength: settings.documentLength,
      layers: backbone.config.numLayers,
      hiddenSize: backbone.config.hiddenSize,
      int8Compute: this.int8Compute,
    };
  }

  /** Encodes texts; results are in input order. For very long lists prefer `encodeStream`. */
  async encode(inputs: readonly EncodeInput[], options: EncodeOptions = {}): Promise<EncodedText[]> {
    const out: EncodedText[] = [];
    for await (const chunk of this.encodeStream(inputs, options)) out.push(...chunk);
    return out;
  }

  /** Candidates in no index, in MaxSim order with their matches (see `rerank` in rerank.ts). */
  rerank(query: string, candidates: readonly DocumentInput[], options: RerankOptions = {}): Promise<Hit[]> {
    this.assertOpen();
    return rerank(this, query, candidates, options);
  }

  /**
   * Encodes texts window by window (in input order), so memory stays bounded by one window of
   * results plus one batch of activations however many texts there are.
   */
  async *encodeStream(inputs: readonly EncodeInput[], options: EncodeOptions = {}): AsyncGenerator<EncodedText[]> {
    this.assertOpen();
    if (!Array.isArray(inputs)) throw new ColbertError(ErrorCode.InvalidInput, 'inputs must be an array of { text, kind }.', { subject: 'inputs' });
    const { signal, onProgress, poolFactor = 1 } = options;
    assertPoolFactor(poolFactor, 'poolFactor');
    if (poolFactor > 1) {
      const query = inputs.findIndex((input) => input?.kind === 'query');
      if (query >= 0) {
        throw new ColbertError(ErrorCode.InvalidInput, `inputs[${query}].kind: queries are never pooled; encode them without poolFactor.`, { subject: `inputs[${query}].kind` });
      }
    }
    for (let start = 0; start < inputs.length; start += WINDOW) {
      throwIfAborted(signal);
      const window = inputs.slice(start, start + WINDOW);
      const prepared = prepareTexts(this.tokenizer, this.checkpoint.settings, window, {
        longDocuments: options.longDocuments ?? 'truncate',
        firstIndex: start,
      });
      const encoded = await this.run(prepared, signal);
      yield poolFactor === 1 ? encoded : encoded.map((e, i) => poolDocument(e, prepared[i]!.sequences.map((s) => s.keepRows.length), poolFactor));
      onProgress?.({ phase: 'encode', loaded: Math.min(start + WINDOW, inputs.length), total: inputs.length });
    }
  }

  /**
   * Encodes one query. With `location: 'gpu-buffer'` and the session on WebGPU, its vectors stay on onnxruntime's
   * device (`webGpuDevice()`) and nothing is read back; `dispose()` the result once they are consumed. On WASM
   * (also after a device loss moved the session there) the vectors come back on the CPU, `location: 'cpu'`.
   * A query keeps every row the model outputs (colbert-prep's keepRows are 0 … n−1), so its rows are the first
   * `rows` rows of the output, from offset 0.
   *
   * @example
   * const q = await encoder.encodeQuery('what is colbert?', { location: 'gpu-buffer' });
   * try { await scorer.score(q.location === 'gpu-buffer' ? q : asMatrix(q), { k: 10 }); } finally { if (q.location === 'gpu-buffer') q.dispose(); }
   */
  async encodeQuery(text: string, options: { location?: OutputLocation; signal?: AbortSignal } = {}): Promise<EncodedQuery> {
    this.assertOpen();
    const { signal } = options;
    throwIfAborted(signal);
    if (options.location !== 'gpu-buffer' || this.session.outputLocation !== 'gpu-buffer') {
      const [encoded] = await this.run(prepareTexts(this.tokenizer, this.checkpoint.settings, [{ text, kind: 'query' }]), signal);
      return { ...encoded!, location: 'cpu' };
    }
    const [prepared] = prepareTexts(this.tokenizer, this.checkpoint.settings, [{ text, kind: 'query' }]);
    const { ids, tokens, spans, truncated } = prepared!;
    const [batch] = planBatches([prepared!], this.tokenizer.padId, Number.MAX_SAFE_INTEGER);
    await yieldToEventLoop();
    throwIfAborted(signal);
    const embeddings = await this.infer(batch!.ids, batch!.attentionMask, [1, batch!.length], 'gpu-buffer');
    const dim = this.checkpoint.dim;
    const meta = { kind: 'query' as const, ids, tokens, spans, truncated, rows: ids.length, dim };
    if (embeddings.location !== 'gpu-buffer') {
      // The session moved to WASM during the run (device loss): the vectors are on the CPU already.
      const vectors = (embeddings.data as Float32Array).slice(0, ids.length * dim);
      embeddings.dispose();
      return { ...meta, location: 'cpu', vectors };
    }
    return { ...meta, location: 'gpu-buffer', buffer: embeddings.gpuBuffer, offset: 0, dispose: () => embeddings.dispose() };
  }

  /** One model run; errors become BACKEND_FAILED with advice. */
  private infer(ids: BigInt64Array, attentionMask: BigInt64Array, shape: [number, number], outputLocation: OutputLocation): Promise<Tensor> {
    return this.session
      .run({ [INPUT_IDS]: new Tensor('int64', ids, shape), [ATTENTION_MASK]: new Tensor('int64', attentionMask, shape) }, { outputLocation })
      .then((result) => result[EMBEDDINGS]!)
      .catch((cause: unknown) => {
        if (cause instanceof ColbertError) throw cause;
        // Typically memory: a long sequence's attention scores grow with its length squared.
        throw new ColbertError(
          ErrorCode.BackendFailed,
          `Inference failed on a batch of ${shape[0]} × ${shape[1]} tokens: ${(cause as Error).message}. ` +
            "Lower maxBatchTokens, or encode long documents with longDocuments: 'split'.",
          { cause },
        );
      });
  }

  private async run(texts: readonly PreparedText[], signal: AbortSignal | undefined): Promise<EncodedText[]> {
    const dim = this.checkpoint.dim;
    const outputs = texts.map((t) => new Float32Array(t.ids.length * dim));
    for (const batch of planBatches(texts, this.tokenizer.padId, this.maxBatchTokens)) {
      // A macrotask boundary, so an abort (or another request) that arrived as a message is seen between batches.
      await yieldToEventLoop();
      throwIfAborted(signal);
      // Read back: the store needs every document row, and callers of encode() get CPU vectors.
      const embeddings = await this.infer(batch.ids, batch.attentionMask, [batch.refs.length, batch.length], 'cpu');
      const data = embeddings.data as Float32Array;
      batch.refs.forEach(({ text, sequence, rowOffset }, b) => {
        const target = outputs[text]!;
        sequence.keepRows.forEach((row, k) => {
          const from = (b * batch.length + row) * dim;
          target.set(data.subarray(from, from + dim), (rowOffset + k) * dim);
        });
      });
      embeddings.dispose();
    }
    return texts.map((t, i) => ({
      kind: t.kind,
      ids: t.ids,
      tokens: t.tokens,
      spans: t.spans,
      truncated: t.truncated,
      rows: t.ids.length,
      dim,
      vectors: outputs[i]!,
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new ColbertError(ErrorCode.Closed, 'This encoder was closed; create a new one.');
  }
}

/** Lets queued events (worker messages, abort notifications) run; `await` alone only drains microtasks. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
