/**
 * The one place the engine runs a compressed search: on the WebAssembly SIMD kernels (`cpu/compressed-kernels.ts`,
 * helper threads where the worker is cross-origin isolated), created once per worker on the first compressed
 * search; the TypeScript `searchCompressed` (same stages and results) only where WebAssembly SIMD is missing.
 */
import { createCompressedKernels } from '../cpu/compressed-kernels.js';
import type { CompressedKernels } from '../cpu/compressed-kernels.js';
import { hasWasmSimd } from '../cpu/simd-support.js';
import { searchCompressed } from '../scoring/compressed/compressed-search.js';
import type { CompressedSearchOptions, CompressedSearchResult } from '../scoring/compressed/compressed-search.js';
import type { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';

let kernels: Promise<CompressedKernels> | undefined;

/** What runs compressed searches in this worker. */
export function compressedSearchBackend(): 'wasm-simd' | 'typescript' {
  return hasWasmSimd() ? 'wasm-simd' : 'typescript';
}

/** Searches one compressed corpus (pruned, or every live document with `exact`). */
export async function searchCompressedCorpus(corpus: CompressedCorpus, query: F32TokenMatrix, options: CompressedSearchOptions): Promise<CompressedSearchResult> {
  if (compressedSearchBackend() === 'typescript') return searchCompressed(corpus, query, options);
  // A failed start is not cached: the next search tries again.
  kernels ??= createCompressedKernels().catch((error: unknown) => {
    kernels = undefined;
    throw error;
  });
  return (await kernels).search(corpus, query, options);
}
