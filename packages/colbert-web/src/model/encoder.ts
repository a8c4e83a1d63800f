import { Tensor } from 'onnxruntime-web';
import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { BackendInfo, EncodeInput, EncodeOptions, LoadOptions, ModelInfo } from '../protocol/encoder-api.js';
import { planBatches } from './batching.js';
import type { LoadedCheckpoint } from './checkpoint.js';
import { isExportCheckpoint } from './checkpoint.js';
import { prepareTexts } from './colbert-prep.js';
import { createExportSession } from './export-session.js';
import { ATTENTION_MASK, EMBEDDINGS, INPUT_IDS, buildEncoderGraph } from './graph/build-graph.js';
import type { OrtSession } from './ort-session.js';
import { createOrtSession } from './ort-session.js';
import type { EncodedText, PreparedText } from './prepared.js';
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
  ) {}

  static async create(checkpoint: LoadedCheckpoint, options: LoadOptions = {}): Promise<Encoder> {
    const { signal, onProgress } = options;
    const tokenizer = createTokenizer(checkpoint.tokenizer, checkpoint.settings);
    throwIfAborted(signal);
    const sessionOptions = { backend: options.backend ?? 'auto', ...(options.threads ? { threads: options.threads } : {}) };
    // A published ONNX export is the graph (the head runs after it); otherwise the graph is built from the weights.
    const network = isExportCheckpoint(checkpoint) ? checkpoint : buildEncoderGraph(checkpoint);
    onProgress?.({ phase: 'load', step: 'graph', loaded: 1, total: 1 });
    throwIfAborted(signal);
    const session = network instanceof Uint8Array ? await createOrtSession(network, sessionOptions) : await createExportSession(network, sessionOptions);
    onProgress?.({ phase: 'load', step: 'session', loaded: 1, total: 1 });
    const maxBatchTokens = options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS;
    if (!Number.isSafeInteger(maxBatchTokens) || maxBatchTokens < 1) {
      throw new ColbertError(ErrorCode.InvalidInput, `maxBatchTokens must be a positive integer (got ${String(maxBatchTokens)}).`, { subject: 'maxBatchTokens' });
    }
    return new Encoder(checkpoint, tokenizer, session, maxBatchTokens);
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
    };
  }

  /** Encodes texts; results are in input order. For very long lists prefer `encodeStream`. */
  async encode(inputs: readonly EncodeInput[], options: EncodeOptions = {}): Promise<EncodedText[]> {
    const out: EncodedText[] = [];
    for await (const chunk of this.encodeStream(inputs, options)) out.push(...chunk);
    return out;
  }

  /**
   * Encodes texts window by window (in input order), so memory stays bounded by one window of
   * results plus one batch of activations however many texts there are.
   */
  async *encodeStream(inputs: readonly EncodeInput[], options: EncodeOptions = {}): AsyncGenerator<EncodedText[]> {
    this.assertOpen();
    if (!Array.isArray(inputs)) throw new ColbertError(ErrorCode.InvalidInput, 'inputs must be an array of { text, kind }.', { subject: 'inputs' });
    const { signal, onProgress } = options;
    for (let start = 0; start < inputs.length; start += WINDOW) {
      throwIfAborted(signal);
      const window = inputs.slice(start, start + WINDOW);
      const prepared = prepareTexts(this.tokenizer, this.checkpoint.settings, window, {
        longDocuments: options.longDocuments ?? 'truncate',
        firstIndex: start,
      });
      yield await this.run(prepared, signal);
      onProgress?.({ phase: 'encode', loaded: Math.min(start + WINDOW, inputs.length), total: inputs.length });
    }
  }

  private async run(texts: readonly PreparedText[], signal: AbortSignal | undefined): Promise<EncodedText[]> {
    const dim = this.checkpoint.dim;
    const outputs = texts.map((t) => new Float32Array(t.ids.length * dim));
    for (const batch of planBatches(texts, this.tokenizer.padId, this.maxBatchTokens)) {
      // A macrotask boundary, so an abort (or another request) that arrived as a message is seen between batches.
      await yieldToEventLoop();
      throwIfAborted(signal);
      const shape = [batch.refs.length, batch.length];
      const result = await this.session
        .run({ [INPUT_IDS]: new Tensor('int64', batch.ids, shape), [ATTENTION_MASK]: new Tensor('int64', batch.attentionMask, shape) })
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
      const embeddings = result[EMBEDDINGS]!;
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
