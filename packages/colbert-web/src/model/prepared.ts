/** What the tokenizer + ColBERT preparation hand to the encoder, and what the encoder returns. */

export type TextKind = 'query' | 'document';

/** How documents longer than document_length are handled. */
export type LongDocumentMode = 'truncate' | 'split';

/** One model input row sequence (a query, a document, or one window of a split document). */
export interface Sequence {
  /** Token ids fed to the model, [CLS] prefix … [SEP] (+ [MASK] expansion for queries). */
  readonly ids: Int32Array;
  /** 1 where keys are attended, 0 for expansion tokens (unless attend_to_expansion_tokens). Same length as ids. */
  readonly attentionMask: Uint8Array;
  /** Indices (into ids) of the rows the caller gets back, in order. */
  readonly keepRows: Int32Array;
}

/** A text ready for the encoder: one sequence, or several windows when a long document is split. */
export interface PreparedText {
  readonly kind: TextKind;
  readonly sequences: readonly Sequence[];
  /** Token ids of the kept rows across all sequences, in output order. */
  readonly ids: Int32Array;
  /** Token strings of the kept rows (as the tokenizer's vocabulary spells them). */
  readonly tokens: readonly string[];
  /**
   * [start, end) UTF-16 offsets into the original text for each kept row, 2 per row;
   * -1, -1 for rows with no source text ([CLS], prefix, [SEP], [MASK] expansion).
   */
  readonly spans: Int32Array;
  /** True when text was cut (truncate mode, too long). Split documents are never truncated. */
  readonly truncated: boolean;
}

/**
 * One encoded text: one row per kept token, or, for a pooled document (`poolFactor` > 1), one row per cluster of
 * tokens. `ids`, `tokens` and `spans` always describe the kept tokens.
 */
export interface EncodedText {
  readonly kind: TextKind;
  readonly ids: Int32Array;
  readonly tokens: readonly string[];
  readonly spans: Int32Array;
  readonly truncated: boolean;
  /** Number of rows: kept tokens, or pooled rows. */
  readonly rows: number;
  readonly dim: number;
  /** rows × dim, row-major; each row L2-normalised, except pooled rows (means of unit rows, as PyLate keeps them). */
  readonly vectors: Float32Array;
  /** Pooled documents only: for each token (index into ids), the row it was pooled into. */
  readonly tokenRows?: Int32Array;
}

/** Where an encoder leaves its outputs. */
export type OutputLocation = 'cpu' | 'gpu-buffer';

/**
 * WebGPU's `GPUBuffer` where the WebGPU types are loaded (a browser app, the SDK itself), `unknown` elsewhere: the
 * Node entry's types compile without `@webgpu/types`, where a query never lives on a GPU anyway.
 */
export type GpuBufferType = typeof globalThis extends { GPUBuffer: { prototype: infer B } } ? B : unknown;

/**
 * One encoded query, its vectors where the caller asked for them when the session could keep them there:
 * 'cpu' as in `EncodedText`, or 'gpu-buffer': `rows` × `dim` float32 values, row-major, from byte `offset` of
 * `buffer` on onnxruntime's device (`webGpuDevice()`). A GPU query is valid until `dispose()`, which gives the
 * buffer back to onnxruntime; call it once the scorer has consumed it.
 */
export type EncodedQuery = Omit<EncodedText, 'vectors'> &
  (
    | { readonly location: 'cpu'; readonly vectors: Float32Array }
    | { readonly location: 'gpu-buffer'; readonly buffer: GpuBufferType; readonly offset: number; dispose(): void }
  );
