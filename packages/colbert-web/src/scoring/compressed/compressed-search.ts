import { ColbertError, ErrorCode, throwIfAborted } from '../../errors.js';
import type { ScoredDocument } from '../scorer.js';
import type { F32TokenMatrix } from '../token-matrix.js';
import type { CompressedCorpus } from './compressed-corpus.js';
import { centroidMaxSim, decompressedMaxSim } from './decompressed-maxsim.js';
import { queryTables, type QueryTables } from './query-tables.js';
import { pruningDefaults, type PruningSettings } from './search-defaults.js';

export interface CompressedSearchOptions extends Partial<PruningSettings> {
  k: number;
  /** Score every live document on its decoded tokens (no candidate generation). */
  exact?: boolean;
  /** Only these sequence numbers may be returned (a metadata filter, applied before top-k). */
  only?: Uint32Array;
  signal?: AbortSignal;
}

export interface CompressedSearchResult {
  /** Best first: score descending, then sequence number ascending. */
  hits: ScoredDocument[];
  pruned: boolean;
  /** Documents the probed centroids' lists gave (every live one when exact). */
  candidates: number;
  /** Documents scored on their decoded tokens. */
  scored: number;
}

/** The positions scored by `scoreOne`, best first (position order = sequence number order on ties), cut to `n`. */
function best(positions: Uint32Array, scoreOne: (doc: number) => number, n: number): { positions: Uint32Array; scores: Float64Array } {
  const scores = Float64Array.from(positions, scoreOne);
  const order = Uint32Array.from(positions.keys()).sort((a, b) => scores[b]! - scores[a]! || positions[a]! - positions[b]!).subarray(0, n);
  return { positions: Uint32Array.from(order, (i) => positions[i]!), scores: Float64Array.from(order, (i) => scores[i]!) };
}

/** 1 per live (and, with `only`, allowed) position. */
export function allowedMask(corpus: CompressedCorpus, only: Uint32Array | undefined): Uint8Array {
  if (!only) return corpus.liveDocuments;
  const mask = new Uint8Array(corpus.size);
  for (const seq of only) {
    const at = corpus.positionOf(seq);
    if (at >= 0) mask[at] = corpus.liveDocuments[at]!;
  }
  return mask;
}

/** Per query token, the `nprobe` centroids it scores highest with, marked in one mask. */
function probedCentroids(tables: QueryTables, k: number, nprobe: number): Uint8Array {
  const { rows, centroidScores } = tables;
  const probed = new Uint8Array(k);
  const top = new Int32Array(nprobe);
  const topScore = new Float64Array(nprobe);
  for (let q = 0; q < rows; q++) {
    top.fill(-1);
    topScore.fill(-Infinity);
    for (let c = 0; c < k; c++) {
      const score = centroidScores[c * rows + q]!;
      if (score <= topScore[nprobe - 1]!) continue;
      let at = nprobe - 1;
      while (at > 0 && score > topScore[at - 1]!) at--;
      topScore.copyWithin(at + 1, at, nprobe - 1);
      top.copyWithin(at + 1, at, nprobe - 1);
      topScore[at] = score;
      top[at] = c;
    }
    for (const c of top) if (c >= 0) probed[c] = 1;
  }
  return probed;
}

/** Centroids whose best score over the query tokens reaches `threshold`. */
function relevantCentroids(tables: QueryTables, k: number, threshold: number): Uint8Array {
  const { rows, centroidScores } = tables;
  const relevant = new Uint8Array(k);
  for (let c = 0; c < k; c++) {
    for (let q = 0; q < rows; q++) {
      if (centroidScores[c * rows + q]! >= threshold) {
        relevant[c] = 1;
        break;
      }
    }
  }
  return relevant;
}

/**
 * PLAID-style search of a compressed corpus:
 * 1. query × centroid scores; the `nprobe` best centroids of each query token; their lists are the candidates;
 * 2. approximate scores from centroid scores of the candidates' tokens whose centroid reaches
 *    `centroidThreshold`; the best `ndocs` go on;
 * 3. approximate scores from all their tokens' centroid scores; the best max(k, ndocs / 4) go on;
 * 4. exact MaxSim on their decoded residuals; the best k are returned.
 * `exact: true` runs step 4 on every live document. Unset knobs come from `pruningDefaults(k, documents)`.
 *
 * @example
 * const { hits, scored } = searchCompressed(corpus, { precision: 'f32', dim: 128, rows: 32, values }, { k: 10 });
 */
export function searchCompressed(corpus: CompressedCorpus, query: F32TokenMatrix, options: CompressedSearchOptions): CompressedSearchResult {
  if (query.dim !== corpus.dim) throw new ColbertError(ErrorCode.InvalidInput, `query: dim ${query.dim} differs from the index's ${corpus.dim}.`, { subject: 'query' });
  const k = Math.max(0, Math.floor(options.k));
  const allowed = allowedMask(corpus, options.only);
  const tables = queryTables(query, corpus.table.centroids, corpus.codec);
  const scratch = new Float64Array(query.rows);
  const finish = (positions: Uint32Array, candidates: number, pruned: boolean): CompressedSearchResult => {
    const top = best(positions, (d) => decompressedMaxSim(corpus, d, tables, scratch), k);
    return { hits: Array.from(top.positions, (d, i) => ({ seq: corpus.seqs[d]!, score: top.scores[i]! })), pruned, candidates, scored: positions.length };
  };
  if (options.exact) {
    const all = Uint32Array.from(allowed.keys()).filter((d) => allowed[d] === 1);
    return finish(all, all.length, false);
  }
  const defaults = pruningDefaults(k, corpus.documents);
  const nprobe = Math.max(1, options.nprobe ?? defaults.nprobe);
  const ndocs = Math.max(k, options.ndocs ?? defaults.ndocs);
  const centroids = corpus.centroidCount;

  const probed = probedCentroids(tables, centroids, Math.min(nprobe, centroids));
  const isCandidate = new Uint8Array(corpus.size);
  for (let c = 0; c < centroids; c++) if (probed[c] === 1) for (const d of corpus.cell(c)) isCandidate[d] = allowed[d]!;
  const candidates = Uint32Array.from(isCandidate.keys()).filter((d) => isCandidate[d] === 1);
  throwIfAborted(options.signal);

  const relevant = relevantCentroids(tables, centroids, options.centroidThreshold ?? defaults.centroidThreshold);
  const stage2 = best(candidates, (d) => centroidMaxSim(corpus, d, tables, scratch, relevant), ndocs).positions;
  const stage3 = best(stage2, (d) => centroidMaxSim(corpus, d, tables, scratch), Math.max(k, Math.ceil(ndocs / 4))).positions;
  throwIfAborted(options.signal);
  return finish(stage3, candidates.length, true);
}
