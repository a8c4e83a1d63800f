import type { CompressedCorpus } from './compressed-corpus.js';
import type { CompressedSearchOptions, CompressedSearchResult } from './compressed-search.js';
import { pruningDefaults } from './search-defaults.js';

/** Each widening probes this many times more centroids per query token. */
const WIDEN = 4;

/**
 * The candidates a pruned search should start from: at least 4k, and a quarter of stage 2's `ndocs` (the
 * documents exact scoring would see), at most the allowed documents.
 */
export function minimumCandidates(k: number, ndocs: number, allowed: number): number {
  return Math.min(allowed, Math.max(4 * k, Math.ceil(ndocs / 4)));
}

/**
 * A compressed search as every caller runs it (the engine on any backend, the CLI): the pruned search, with its
 * candidate generation widened where the probed centroids' lists hold too few documents, then exact scoring if
 * even that gives fewer than k hits. Pruning changes what a search costs, never how many hits it gives.
 *
 * Why widen: `nprobe` centroids per query token find plenty of documents when token vectors spread over the
 * centroids (synthetic clustered vectors: ~2,500 candidates at 1M tokens and nprobe 2; widening never runs then). Where they do not (a seeded
 * model's diffuse vectors: the query tokens' nearest centroids held 2 of 800 documents, and the pruned top 10
 * shared 19 % with the exact one), more cells are probed, 4× at a time, until the candidates reach
 * `minimumCandidates` or every centroid is probed (there, 41 candidates gave the exact top 10).
 *
 * @example
 * const result = await adaptiveSearch((o) => searchCompressed(corpus, query, o), corpus, { k: 10 });
 */
export async function adaptiveSearch(
  search: (options: CompressedSearchOptions) => Promise<CompressedSearchResult> | CompressedSearchResult,
  corpus: CompressedCorpus,
  options: CompressedSearchOptions,
): Promise<CompressedSearchResult> {
  let result = await search(options);
  if (!result.pruned) return result;
  const allowed = allowedIn(corpus, options.only);
  const defaults = pruningDefaults(options.k, corpus.documents);
  const wanted = minimumCandidates(options.k, Math.max(options.k, options.ndocs ?? defaults.ndocs), allowed);
  let nprobe = Math.max(1, options.nprobe ?? defaults.nprobe);
  while (result.candidates < wanted && nprobe < corpus.centroidCount) {
    nprobe = Math.min(corpus.centroidCount, nprobe * WIDEN);
    result = await search({ ...options, nprobe });
  }
  if (result.hits.length < Math.min(options.k, allowed)) result = await search({ ...options, exact: true });
  return result;
}

/** Live documents of `corpus` a search may return (all of them, or those of `only`). */
function allowedIn(corpus: CompressedCorpus, only: Uint32Array | undefined): number {
  if (!only) return corpus.documents;
  let n = 0;
  for (const seq of only) {
    const at = corpus.positionOf(seq);
    if (at >= 0 && corpus.liveDocuments[at] === 1) n++;
  }
  return n;
}
