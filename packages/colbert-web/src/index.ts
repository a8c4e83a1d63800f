/**
 * colbert-web: ColBERT late-interaction search in the browser.
 *
 * @example
 * import { createEncoder } from 'colbert-web';
 * const encoder = await createEncoder({ model: '/models/lexical' });
 * const [query] = await encoder.encode([{ text: 'heart attack risk', kind: 'query' }]);
 */
export { createSearch } from './client/create-search.js';
export type { SearchHandle } from './client/create-search.js';
export { createEncoder } from './client/create-encoder.js';
export type { CreateEncoderOptions, RemoteEncoder } from './client/create-encoder.js';
export { ColbertError, ErrorCode, isColbertError } from './errors.js';
export { clearModelCache } from './model/files/cached-files.js';
export type { SerializedColbertError } from './errors.js';
export { toBfloat16Bits, toFloat16Bits } from './model/float16.js';
export { parseSafetensors, writeSafetensors } from './model/safetensors.js';
export type { SafetensorsDtype, Tensor, TensorMap, TensorToWrite } from './model/safetensors.js';
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
  NodePlacement,
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
  Match,
  Metadata,
  MetadataFilter,
  MetadataValue,
  OpenSearchOptions,
  QueryTokenKind,
  SearchApi,
  SearchInfo,
  SearchOptions,
  TokenSimilarities,
} from './protocol/search-api.js';
export type { ScorerBackend } from './scoring/scorer.js';
export type { StoredPrecision } from './scoring/token-matrix.js';
