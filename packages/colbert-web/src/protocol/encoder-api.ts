import type { EncodedText, LongDocumentMode, TextKind } from '../model/prepared.js';
import type { OperationOptions } from './progress.js';

/** Which inference backend to use. 'auto' prefers WebGPU when an adapter exists (next release) and falls back to WASM. */
export type BackendPreference = 'auto' | 'wasm';

/** What actually ran: never assumed, read back from the runtime. */
export interface BackendInfo {
  readonly name: 'wasm';
  /** WASM threads in use (1 when not cross-origin isolated). */
  readonly threads: number;
  readonly simd: boolean;
}

/** One text to encode. */
export interface EncodeInput {
  readonly text: string;
  readonly kind: TextKind;
}

export interface EncodeOptions extends OperationOptions {
  /** Documents longer than document_length: 'truncate' (PyLate's behaviour, default) or 'split' into overlapping windows. */
  longDocuments?: LongDocumentMode;
}

/** A model to load: a base URL (any static host, Hugging Face `resolve/main` URLs included) or the checkpoint's files. */
export type ModelSource = string | { readonly files: Readonly<Record<string, Uint8Array>>; readonly name?: string };

export interface LoadOptions extends OperationOptions {
  backend?: BackendPreference;
  /** Upper bound on batch × sequence length per inference call (bounds memory). Default 8192. */
  maxBatchTokens?: number;
  /** WASM threads wanted (default: up to 4 by core count); 1 is used where threads are unavailable. */
  threads?: number;
}

export interface ModelInfo {
  readonly location: string;
  readonly architecture: 'bert';
  readonly dim: number;
  readonly queryLength: number;
  readonly documentLength: number;
  readonly layers: number;
  readonly hiddenSize: number;
}

/**
 * The encoder as the app sees it. The in-worker object and the comlink proxy implement the same
 * interface so they cannot drift.
 */
export interface EncoderApi {
  encode(inputs: readonly EncodeInput[], options?: EncodeOptions): Promise<EncodedText[]>;
  info(): Promise<{ model: ModelInfo; backend: BackendInfo }>;
  close(): Promise<void>;
}
