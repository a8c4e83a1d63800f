import { ColbertError, ErrorCode, throwIfAborted } from '../../errors.js';
import type { OperationOptions } from '../../protocol/progress.js';
import type { ModelFiles } from './model-files.js';
import { missingFile } from './model-files.js';

export interface UrlFilesOptions {
  /** Replaces the global fetch (tests, auth headers). */
  fetch?: typeof fetch;
}

/**
 * Files under a base URL on any static host, including Hugging Face `.../resolve/main` URLs.
 *
 * @example
 * const files = urlFiles('https://huggingface.co/lightonai/colbert-small/resolve/main');
 */
export function urlFiles(baseUrl: string, options: UrlFilesOptions = {}): ModelFiles {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const location = base;

  async function get(path: string, init: RequestInit): Promise<Response> {
    const url = new URL(path, base).href;
    try {
      return await doFetch(url, init);
    } catch (cause) {
      if (init.signal?.aborted) throw new ColbertError(ErrorCode.Aborted, 'The download was aborted.', { cause });
      throw new ColbertError(ErrorCode.ModelFileMissing, `Could not fetch ${url}: ${(cause as Error).message}`, {
        subject: path,
        cause,
      });
    }
  }

  return {
    location,
    async read(path, opts: OperationOptions = {}) {
      throwIfAborted(opts.signal);
      const response = await get(path, opts.signal ? { signal: opts.signal } : {});
      if (response.status === 404 || response.status === 410) throw missingFile({ location }, path);
      if (!response.ok) {
        throw new ColbertError(
          ErrorCode.ModelFileMissing,
          `Fetching ${response.url || path} failed with HTTP ${response.status}.`,
          { subject: path },
        );
      }
      return readBody(response, path, opts);
    },
    async exists(path) {
      const response = await get(path, { method: 'HEAD' });
      return response.ok;
    },
  };
}

async function readBody(response: Response, path: string, { signal, onProgress }: OperationOptions): Promise<Uint8Array> {
  const header = response.headers.get('content-length');
  const total = header === null ? undefined : Number(header);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    throwIfAborted(signal);
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress?.({ phase: 'download', file: path, loaded, total });
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
