/**
 * The one place the engine runs a compressed search. Today it is the TypeScript `searchCompressed`; the WASM
 * kernels (`createCompressedKernels(...).search(corpus, query, options)`, same result type) replace the body of
 * `searchCompressedCorpus` in one line.
 */
import { searchCompressed } from '../scoring/compressed/compressed-search.js';
import type { CompressedSearchOptions, CompressedSearchResult } from '../scoring/compressed/compressed-search.js';
import type { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';

/** Searches one compressed corpus (pruned, or every live document with `exact`). */
export async function searchCompressedCorpus(corpus: CompressedCorpus, query: F32TokenMatrix, options: CompressedSearchOptions): Promise<CompressedSearchResult> {
  return searchCompressed(corpus, query, options);
}
