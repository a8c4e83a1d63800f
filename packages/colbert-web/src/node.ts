/**
 * The Node entry: the same model code as the browser, in-process (no worker), plus folder loading.
 *
 * @example
 * import { loadEncoderFrom } from 'colbert-web/node';
 * const encoder = await loadEncoderFrom('./my-pylate-checkpoint');
 * const encoded = await encoder.encode([{ text: 'hello', kind: 'document' }]);
 */
import { availableParallelism } from 'node:os';
import type { Encoder } from './model/encoder.js';
import { folderFiles } from './model/files/folder-files.js';
import type { ModelFiles } from './model/files/model-files.js';
import { filesFromSource, loadEncoder } from './model/load-model.js';
import type { LoadOptions } from './protocol/encoder-api.js';

export { Encoder } from './model/encoder.js';
export { loadCheckpoint } from './model/checkpoint.js';
export type { Checkpoint, ExportCheckpoint, LoadedCheckpoint } from './model/checkpoint.js';
export { folderFiles } from './model/files/folder-files.js';
export { memoryFiles } from './model/files/memory-files.js';
export { urlFiles } from './model/files/url-files.js';
export type { ModelFiles } from './model/files/model-files.js';
export { parseSafetensors, writeSafetensors } from './model/safetensors.js';
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
export * from './index.js';
// The portable index file and the model identity, for the CLI (runtime-agnostic; the browser store uses them too).
export { IndexFileReader, scanIndexFile } from './store/index-file-reader.js';
export type { FileIdentity, FileItem, FileTotals, ScanResult } from './store/index-file-reader.js';
export { IndexFileWriter } from './store/index-file-writer.js';
export type { FileDocument, FileSegment } from './store/index-file-segment.js';
export { prepareDocuments, groupIntoSegments } from './store/add-input.js';
export type { PreparedDocument, StoreDocument } from './store/add-input.js';
export { documentsToFileSegment } from './store/segment-convert.js';
export { assertSameModel, hashModelFiles, modelIdentity } from './store/model-identity.js';
export type { ModelIdentity } from './store/model-identity.js';
export { createWasmScorer } from './cpu/wasm-scorer.js';
export type { DocumentBatch, ScoredDocument, Scorer } from './scoring/scorer.js';
export type { StoredPrecision } from './scoring/token-matrix.js';

/** A folder path or an http(s) URL → its files. */
export function modelFiles(pathOrUrl: string): ModelFiles {
  return /^https?:\/\//.test(pathOrUrl) ? filesFromSource(pathOrUrl) : folderFiles(pathOrUrl);
}

/** Loads a checkpoint from a folder or URL and builds its encoder (WASM, in-process). */
export async function loadEncoderFrom(pathOrUrl: string, options: LoadOptions & { threads?: number } = {}): Promise<Encoder> {
  return loadEncoder(modelFiles(pathOrUrl), { ...options, threads: options.threads ?? Math.min(4, availableParallelism()) });
}
