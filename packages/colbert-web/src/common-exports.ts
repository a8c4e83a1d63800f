/**
 * The exports both entries share (`colbert-web` and `colbert-web/node`): errors, the protocol's types, the
 * safetensors reader and writer. Nothing here may name a DOM, WebGPU or IndexedDB type, so the Node entry's
 * declarations compile under a Node-only `lib` and `types: ["node"]`.
 */
export { ColbertError, ErrorCode, isColbertError } from './errors.js';
export type { SerializedColbertError } from './errors.js';
export { validateDocuments, validateMetadata } from './protocol/validate-documents.js';
export { toBfloat16Bits, toFloat16Bits } from './model/float16.js';
export { parseSafetensors, writeSafetensors } from './model/safetensors.js';
export type { SafetensorsDtype, Tensor, TensorMap, TensorToWrite } from './model/safetensors.js';
export { canQuantizeQ4, dequantizeQ4, quantizeQ4 } from './model/q4-blocks.js';
export type { Q4Matrix } from './model/q4-blocks.js';
export type {
  BackendInfo,
  BackendPreference,
  DeviceLostInfo,
  EncodeInput,
  EncodeOptions,
  EncoderApi,
  GpuAdapterSummary,
  LoadOptions,
  ModelInfo,
  ModelSource,
  NativeBackendInfo,
  NodePlacement,
  RerankOptions,
  WasmBackendInfo,
  WebGpuBackendInfo,
  WebGpuSkipReason,
} from './protocol/encoder-api.js';
export type { DownloadProgressEvent, DownloadWarning, OperationOptions, ProgressCallback, ProgressEvent } from './protocol/progress.js';
export type { EncodedText, LongDocumentMode, TextKind } from './model/prepared.js';
export type {
  AddOptions,
  DocumentInput,
  Hit,
  IndexRerankOptions,
  KeywordMatch,
  Match,
  Metadata,
  MetadataFilter,
  MetadataValue,
  OpenSearchOptions,
  QueryTokenKind,
  Ranking,
  RerankCandidate,
  SearchApi,
  SearchInfo,
  SearchMode,
  SearchOptions,
  TokenSimilarities,
} from './protocol/search-api.js';
export type { ScorerBackend } from './scoring/scorer.js';
export type { StoredPrecision } from './scoring/token-matrix.js';
