import { ColbertError, ErrorCode } from '../errors.js';
import type { LoadOptions, ModelSource } from '../protocol/encoder-api.js';
import { loadCheckpoint } from './checkpoint.js';
import { Encoder } from './encoder.js';
import { cachedFiles, withDownloadTotals } from './files/cached-files.js';
import type { ModelFiles } from './files/model-files.js';
import { memoryFiles } from './files/memory-files.js';
import { urlFiles } from './files/url-files.js';
import type { SessionFactory } from './ort-session.js';
import { createOrtSession } from './ort-session.js';

/**
 * Resolves a ModelSource (URL or in-memory files) to the files it names. A URL's files go through the model
 * cache (Cache API, where available) unless `cache` is false.
 */
export function filesFromSource(source: ModelSource, options: Pick<LoadOptions, 'cache'> = {}): ModelFiles {
  const { cache } = options;
  if (cache !== undefined && typeof cache !== 'boolean') {
    throw new ColbertError(ErrorCode.InvalidInput, `cache must be true or false (got ${String(cache)}).`, { subject: 'cache' });
  }
  if (typeof source === 'string') {
    if (!/^(https?:|blob:|data:|\/|\.\.?\/)/.test(source)) {
      throw new ColbertError(ErrorCode.InvalidInput, `model must be a URL (http(s)://…, /path or ./path) or { files }; got "${source}".`, { subject: 'model' });
    }
    const base = typeof location === 'undefined' ? source : new URL(source, location.href).href;
    return cache === false ? withDownloadTotals(urlFiles(base)) : cachedFiles(base);
  }
  if (source && typeof source === 'object' && source.files && typeof source.files === 'object') {
    return memoryFiles(source.files, source.name ?? 'in-memory files');
  }
  throw new ColbertError(ErrorCode.InvalidInput, 'model must be a URL string or { files: { path: Uint8Array } }.', { subject: 'model' });
}

/** Loads a checkpoint and builds its encoder on onnxruntime-web. */
export function loadEncoder(files: ModelFiles, options: LoadOptions = {}): Promise<Encoder> {
  return loadEncoderWith(files, options, createOrtSession);
}

/** @internal `loadEncoder` on another runtime's sessions (see `Encoder.createWith`). */
export async function loadEncoderWith(files: ModelFiles, options: LoadOptions, createSession: SessionFactory): Promise<Encoder> {
  const checkpoint = await loadCheckpoint(files, options);
  return Encoder.createWith(checkpoint, options, createSession);
}
