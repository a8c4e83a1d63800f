import type { EncodedText, LongDocumentMode, TextKind } from '../model/prepared.js';
import type { OperationOptions } from './progress.js';
import type { DocumentInput, Hit } from './search-api.js';

/**
 * Which inference backend to use. 'auto' takes WebGPU when the browser has a hardware adapter and WASM otherwise
 * (no WebGPU, no adapter, or only a software adapter such as SwiftShader, which is slower than WASM);
 * 'webgpu' insists on WebGPU (any adapter, software ones included) and fails with `WEBGPU_UNAVAILABLE` without one.
 */
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

/** What actually ran: never assumed, read back from the runtime. Keyed on `name`. */
export type BackendInfo = WasmBackendInfo | WebGpuBackendInfo | NativeBackendInfo;

/** The onnxruntime WASM runtime; with WebGPU it still runs the nodes placed on the CPU. */
interface WasmRuntimeInfo {
  /** WASM threads in use (1 when not cross-origin isolated). */
  readonly threads: number;
  readonly simd: boolean;
}

export interface WasmBackendInfo extends WasmRuntimeInfo {
  readonly name: 'wasm';
  /**
   * Why WASM runs although WebGPU was asked for ('auto', or 'webgpu' before a device loss); absent when WASM was
   * the only choice ('wasm', or Node).
   */
  readonly webgpuSkipped?: WebGpuSkipReason;
  /** The WebGPU device loss this encoder recovered from by moving to WASM. */
  readonly deviceLost?: DeviceLostInfo;
}

/** onnxruntime-node (Node only: the CLI and `colbert-web/node`'s default). */
export interface NativeBackendInfo {
  readonly name: 'native';
  /** The execution provider the session runs on. */
  readonly provider: 'cpu' | 'cuda';
  /** Intra-op threads of the CPU provider. */
  readonly threads: number;
  /** onnxruntime-node's version. */
  readonly version: string;
  /** Why CUDA does not run: its provider libraries are not installed, or they failed to start (the message). */
  readonly cudaSkipped?: string;
}

export interface WebGpuBackendInfo extends WasmRuntimeInfo {
  readonly name: 'webgpu';
  /** The adapter of the device onnxruntime runs on, read from that device. */
  readonly adapter: GpuAdapterSummary;
  /**
   * Nodes that compute on tensor contents but run on the CPU because the WebGPU EP has no kernel for them
   * (each costs a GPU↔CPU transfer); null when onnxruntime's placement log could not be read.
   * Shape arithmetic on the CPU is expected and not counted: see `placement.cpuShape`.
   */
  readonly fallbackNodes: number | null;
  /** Where onnxruntime placed the optimised graph's nodes; null when its placement log could not be read. */
  readonly placement: NodePlacement | null;
}

/** `GPUAdapterInfo` fields, as plain data that crosses the worker boundary. */
export interface GpuAdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly description?: string;
  /** A software adapter (SwiftShader, WARP): WebGPU emulated on the CPU. */
  readonly isFallbackAdapter: boolean;
}

/**
 * Node placement of a WebGPU session, from onnxruntime's own log. Nodes are named `OpType (node name)`.
 * `cpuShape` nodes only ever see tensor shapes and constants (int64 index and shape arithmetic, which the WebGPU EP
 * leaves to the CPU by design); `cpuFallback` nodes read tensor contents on the CPU.
 */
export interface NodePlacement {
  /** Nodes run by the WebGPU EP (onnxruntime's inserted Memcpy nodes not counted). */
  readonly gpu: number;
  readonly cpuShape: readonly string[];
  readonly cpuFallback: readonly string[];
}

/**
 * Why 'auto' (or a lost device) left WebGPU: `no-webgpu-api` (no `navigator.gpu`), `no-adapter`,
 * `software-adapter` (only a CPU-emulated adapter: 'auto' prefers WASM there), `session-failed` (onnxruntime
 * could not create the WebGPU session), `device-lost`.
 */
export type WebGpuSkipReason = 'no-webgpu-api' | 'no-adapter' | 'software-adapter' | 'session-failed' | 'device-lost';

/** A `GPUDevice.lost` that this encoder did not cause. */
export interface DeviceLostInfo {
  /** `GPUDeviceLostInfo.reason`: 'destroyed' (someone called `destroy()`) or 'unknown' (driver reset, GPU removed). */
  readonly reason: string;
  readonly message: string;
}

/** One text to encode. */
export interface EncodeInput {
  readonly text: string;
  readonly kind: TextKind;
}

export interface EncodeOptions extends OperationOptions {
  /** Documents longer than document_length: 'truncate' (PyLate's behaviour, default) or 'split' into overlapping windows. */
  longDocuments?: LongDocumentMode;
  /**
   * Token pooling of documents as PyLate's `pool_factor` (default 1: none): each document keeps [CLS] and about
   * 1/poolFactor of its other rows, the means of Ward clusters of its token vectors. Documents only: a query in
   * the same call is INVALID_INPUT. A pooled result's `tokenRows` says which tokens each row stands for.
   */
  poolFactor?: number;
}

export interface RerankOptions extends OperationOptions {
  /** Hits returned, best first (default: every candidate). */
  k?: number;
}

/** A model to load: a base URL (any static host, Hugging Face `resolve/main` URLs included) or the checkpoint's files. */
export type ModelSource = string | { readonly files: Readonly<Record<string, Uint8Array>>; readonly name?: string };

export interface LoadOptions extends OperationOptions {
  /** 'auto' (default), 'webgpu' or 'wasm'; `info().backend` says what ran. */
  backend?: BackendPreference;
  /** Upper bound on batch × sequence length per inference call (bounds memory). Default 8192. */
  maxBatchTokens?: number;
  /** WASM threads wanted (default: every core but one, at most 4, so the page keeps a core); 1 is used where threads are unavailable. */
  threads?: number;
  /**
   * Keep a URL model's files in the browser's Cache API so it loads offline, revalidated when online (default
   * true; ignored where the Cache API is unavailable). `false` neither reads nor writes the cache.
   */
  cache?: boolean;
  /**
   * Which backbone weights to run: 'safetensors' (default: the graph is built from model.safetensors) or an ONNX
   * export the repository publishes, 'onnx' (onnx/model.onnx), 'onnx-fp16' (onnx/model_fp16.onnx) or 'onnx-int8'
   * (onnx/model_quantized.onnx). With an export, model.safetensors is not needed; config.json, the tokenizer and
   * the Dense modules still come from the checkpoint.
   */
  weights?: 'safetensors' | 'onnx' | 'onnx-fp16' | 'onnx-int8';
  /**
   * A checkpoint whose safetensors store the Linears as int8 rows (`colbert-web optimize-model --weights int8`)
   * computes in int8 on CPU backends (WASM, and onnxruntime-node in Node): DynamicQuantizeLinear + MatMulInteger,
   * ~1.5–1.7× the float32 speed. WebGPU always runs their dequantised float32 weights (it has no MatMulInteger).
   * Default true; `false` runs the dequantised float32 weights everywhere (the int8 checkpoint's exact function).
   */
  int8Compute?: boolean;
}

export interface ModelInfo {
  readonly location: string;
  readonly architecture: 'bert' | 'modernbert';
  readonly dim: number;
  readonly queryLength: number;
  readonly documentLength: number;
  readonly layers: number;
  readonly hiddenSize: number;
  /** Whether the backbone's Linears compute in int8 (an int8 checkpoint on a CPU backend; see `LoadOptions.int8Compute`). */
  readonly int8Compute: boolean;
}

/**
 * The encoder as the app sees it. The in-worker object and the comlink proxy implement the same
 * interface so they cannot drift.
 */
export interface EncoderApi {
  encode(inputs: readonly EncodeInput[], options?: EncodeOptions): Promise<EncodedText[]>;
  /**
   * Candidates from elsewhere (`{ id, text, metadata? }`, in no index) in MaxSim order, with per-query-token
   * matches; encoded on the fly, nothing stored. PyLate's `rank.rerank`.
   */
  rerank(query: string, candidates: readonly DocumentInput[], options?: RerankOptions): Promise<Hit[]>;
  info(): Promise<{ model: ModelInfo; backend: BackendInfo }>;
  close(): Promise<void>;
}
