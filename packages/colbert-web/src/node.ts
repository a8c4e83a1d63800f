/**
 * The Node entry: the same model code as the browser, in-process (no worker), plus folder loading.
 *
 * @example
 * import { loadEncoderFrom } from 'colbert-web/node';
 * const encoder = await loadEncoderFrom('./my-pylate-checkpoint'); // onnxruntime-node, every core
 * const encoded = await encoder.encode([{ text: 'hello', kind: 'document' }]);
 */
import { availableParallelism } from 'node:os';
import { ColbertError, ErrorCode } from './errors.js';
import type { Encoder } from './model/encoder.js';
import { folderFiles } from './model/files/folder-files.js';
import type { ModelFiles } from './model/files/model-files.js';
import { filesFromSource, loadEncoder, loadEncoderWith } from './model/load-model.js';
import type { SessionFactory } from './model/ort-session.js';
import type { LoadOptions } from './protocol/encoder-api.js';

export * from './common-exports.js';
export { Encoder } from './model/encoder.js';
export { loadCheckpoint } from './model/checkpoint.js';
export type { Checkpoint, ExportCheckpoint, LoadedCheckpoint } from './model/checkpoint.js';
export { folderFiles } from './model/files/folder-files.js';
export { memoryFiles } from './model/files/memory-files.js';
export { urlFiles } from './model/files/url-files.js';
export type { ModelFiles } from './model/files/model-files.js';
export { filesFromSource, loadEncoder } from './model/load-model.js';
// The tokenizer and the ColBERT preparation on their own, for tools that need PyLate's exact token rows without
// running the model (the CLI's word-piece-overlap reference scorer).
export { createTokenizer } from './model/tokenizer.js';
export type { ColbertTokenizer, TokenizedText } from './model/tokenizer.js';
export { prepareTexts } from './model/colbert-prep.js';
export type { PrepareInput, PrepareOptions } from './model/colbert-prep.js';
export type { PreparedText, Sequence } from './model/prepared.js';
// PyLate's token pooling of one encoded document (what encode({ poolFactor }) applies), for tools that pool apart.
export { poolDocument } from './model/pooling/pool-document.js';
export type { ColbertSettings } from './model/colbert-settings.js';
// The portable index file and the model identity, for the CLI (runtime-agnostic; the browser store uses them too).
export { IndexFileReader, scanIndexFile } from './store/index-file-reader.js';
export type { FileIdentity, FileItem, FileTotals, ScanResult } from './store/index-file-reader.js';
export { IndexFileWriter } from './store/index-file-writer.js';
export type { FileCodedSegment, FileDocument, FileSegment } from './store/index-file-segment.js';
export type { FileTables } from './store/index-file-tables.js';
// Compressed files (nbits): the CLI compresses a built file's segments exactly as a browser index compresses.
export { compressFileSegments } from './store/compress-file.js';
export { DEFAULT_COMPRESS_AT } from './scoring/compressed/search-defaults.js';
export { assertNbits } from './scoring/compressed/residual-codec.js';
export { CompressedCorpus } from './scoring/compressed/compressed-corpus.js';
export { searchCompressedCorpus } from './worker/compressed-seam.js';
export { adaptiveSearch } from './scoring/compressed/adaptive-search.js';
export { withTrainingKernels } from './cpu/training-kernels.js';
export { compareScored } from './scoring/scorer.js';
export { prepareDocuments, groupIntoSegments } from './store/add-input.js';
export type { PreparedDocument, StoreDocument } from './store/add-input.js';
export { documentsToFileSegment } from './store/segment-convert.js';
export { assertSameModel, hashModelFiles, modelIdentity } from './store/model-identity.js';
export type { ModelIdentity } from './store/model-identity.js';
// Keyword search (BM25 with the Lucene-English analyzer) and rank fusion, for the CLI's eval scorers.
export { analyze as analyzeEnglish } from './scoring/keyword/english-analyzer.js';
export { BM25_DEFAULTS, KeywordIndex } from './scoring/keyword/keyword-index.js';
export type { Bm25Parameters, KeywordHit } from './scoring/keyword/keyword-index.js';
export { segmentTerms } from './scoring/keyword/segment-terms.js';
export type { SegmentTerms } from './scoring/keyword/segment-terms.js';
export { reciprocalRankFusion, RRF_K, weightedScoreFusion } from './scoring/keyword/fusion.js';
export type { FusedHit, RankedDocument, Rankings } from './scoring/keyword/fusion.js';
export { createWasmScorer } from './cpu/wasm-scorer.js';
export type { DocumentBatch, ScoredDocument, Scorer } from './scoring/scorer.js';

/** A folder path or an http(s) URL → its files. */
export function modelFiles(pathOrUrl: string): ModelFiles {
  return /^https?:\/\//.test(pathOrUrl) ? filesFromSource(pathOrUrl) : folderFiles(pathOrUrl);
}

/** The runtimes an encoder runs on in Node. */
export type NodeBackend = 'native' | 'wasm';

export interface NodeLoadOptions extends Omit<LoadOptions, 'backend'> {
  /**
   * 'native': onnxruntime-node (an optional peer dependency), CUDA when installed, else the CPU with `threads`
   * (default every core); BACKEND_FAILED when onnxruntime-node is not installed. 'wasm': onnxruntime-web's WASM
   * backend in-process, `threads` default up to 4. Left out: 'native' when onnxruntime-node is installed, else
   * 'wasm' (`encoder.backend.name` says which).
   */
  backend?: NodeBackend;
}

/**
 * Loads a checkpoint from a folder or URL and builds its encoder, in-process. `encoder.backend` says what runs.
 *
 * @example
 * const encoder = await loadEncoderFrom('./checkpoint', { backend: 'wasm', threads: 2 });
 * encoder.backend.name; // 'wasm'
 */
export async function loadEncoderFrom(pathOrUrl: string, options: NodeLoadOptions = {}): Promise<Encoder> {
  return loadNodeEncoder(modelFiles(pathOrUrl), options);
}

/**
 * `loadEncoderFrom` for files from anywhere (`memoryFiles`, `folderFiles`, …).
 *
 * @example
 * const encoder = await loadNodeEncoder(memoryFiles(files), { backend: 'native', threads: 4 });
 */
export async function loadNodeEncoder(files: ModelFiles, options: NodeLoadOptions = {}): Promise<Encoder> {
  const { backend, ...rest } = options;
  if (backend !== undefined && backend !== 'native' && backend !== 'wasm') {
    throw new ColbertError(ErrorCode.InvalidInput, `backend must be 'native' or 'wasm' (got ${JSON.stringify(backend)}).`, { subject: 'backend' });
  }
  const native = backend === 'wasm' ? undefined : await nativeSessions();
  if (native && 'createNativeSession' in native) return loadEncoderWith(files, rest, native.createNativeSession);
  if (backend === 'native') {
    throw new ColbertError(ErrorCode.BackendFailed, "backend 'native' needs onnxruntime-node 1.30.0 (npm install onnxruntime-node@1.30.0), or use backend 'wasm'.", { cause: native?.missing, subject: 'backend' });
  }
  return loadEncoder(files, { ...rest, backend: 'wasm', threads: rest.threads ?? Math.min(4, availableParallelism()) });
}

/** onnxruntime-node's sessions, imported only when asked for (an optional peer dependency), or why they are missing. */
async function nativeSessions(): Promise<{ createNativeSession: SessionFactory } | { missing: unknown }> {
  try {
    return await import('./model/native-session.js');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw cause;
    return { missing: cause };
  }
}
