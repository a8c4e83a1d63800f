import { referenceMaxSim } from '../reference-f64.js';
import { compareScored, type ScoredDocument } from '../scorer.js';
import type { F32TokenMatrix } from '../token-matrix.js';
import type { CompressedCorpus } from './compressed-corpus.js';
import type { CompressedSearchOptions } from './compressed-search.js';
import { residualBucket } from './residual-codec.js';
import { pruningDefaults } from './search-defaults.js';

/**
 * The float64 oracle of compressed search: plain loops over the stored codes, no lookup tables, no inverted
 * lists (candidates come from scanning every token's code), every document decoded to float64.
 */

/** Token `t` decoded as the index defines it: normalize(centroid + weights[bucket]), in float64. */
export function referenceDecodeToken(corpus: CompressedCorpus, t: number): Float64Array {
  const { dim, nbits } = corpus;
  const code = corpus.codes[t]!;
  // Views taken once: the corpus derives them afresh on every access (its columns may live in WebAssembly memory).
  const residuals = corpus.residuals;
  const centroids = corpus.table.centroids;
  const out = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    const bucket = residualBucket(residuals, t * corpus.residualBytes, i, nbits);
    out[i] = centroids[code * dim + i]! + corpus.codec.weights[i * 2 ** nbits + bucket]!;
  }
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += out[i]! * out[i]!;
  norm = Math.sqrt(norm);
  for (let i = 0; i < dim; i++) out[i] = norm > 0 ? out[i]! / norm : 0;
  return out;
}

/** Every token of the document at `position`, decoded with `referenceDecodeToken`, rows back to back. */
export function referenceDecodeDocument(corpus: CompressedCorpus, position: number): Float64Array {
  const from = corpus.tokenStart[position]!;
  const to = corpus.tokenStart[position + 1]!;
  const out = new Float64Array((to - from) * corpus.dim);
  for (let t = from; t < to; t++) out.set(referenceDecodeToken(corpus, t), (t - from) * corpus.dim);
  return out;
}

function ranked(corpus: CompressedCorpus, docs: number[], scoreOf: (doc: number) => number, n: number): number[] {
  const scored = docs.map((doc) => ({ doc, seq: corpus.seqs[doc]!, score: scoreOf(doc) }));
  return scored.sort(compareScored).slice(0, n).map((s) => s.doc);
}

/**
 * The same ranking `searchCompressed` defines (same stages, same defaults), computed in float64.
 */
export function referenceSearchCompressed(corpus: CompressedCorpus, query: F32TokenMatrix, options: CompressedSearchOptions): ScoredDocument[] {
  const { dim, rows } = query;
  const q = Float64Array.from(query.values);
  const k = Math.max(0, Math.floor(options.k));
  const only = options.only ? new Set(options.only) : undefined;
  const allowed: number[] = [];
  for (let d = 0; d < corpus.size; d++) if (corpus.liveDocuments[d] === 1 && (!only || only.has(corpus.seqs[d]!))) allowed.push(d);
  const exactScore = (doc: number): number => referenceMaxSim(q, referenceDecodeDocument(corpus, doc), dim).score;
  let finalists = allowed;
  if (!options.exact) {
    const centroidCount = corpus.centroidCount;
    const centroids = corpus.table.centroids;
    const centroidScore: number[][] = [];
    for (let t = 0; t < rows; t++) {
      const row: number[] = [];
      for (let c = 0; c < centroidCount; c++) {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += q[t * dim + i]! * centroids[c * dim + i]!;
        row.push(dot);
      }
      centroidScore.push(row);
    }
    const defaults = pruningDefaults(k, corpus.documents);
    const nprobe = Math.max(1, options.nprobe ?? defaults.nprobe);
    const ndocs = Math.max(k, options.ndocs ?? defaults.ndocs);
    const threshold = options.centroidThreshold ?? defaults.centroidThreshold;
    const probed = new Set<number>();
    for (const row of centroidScore) {
      const order = row.map((score, c) => ({ score, c })).sort((a, b) => b.score - a.score || a.c - b.c);
      for (const { c } of order.slice(0, nprobe)) probed.add(c);
    }
    const tokensOf = (doc: number): number[] => Array.from(corpus.codes.subarray(corpus.tokenStart[doc]!, corpus.tokenStart[doc + 1]!));
    const candidates = allowed.filter((doc) => tokensOf(doc).some((c) => probed.has(c)));
    const approximate = (doc: number, pruned: boolean): number => {
      const codes = tokensOf(doc).filter((c) => !pruned || centroidScore.some((row) => row[c]! >= threshold));
      if (codes.length === 0) return 0;
      return centroidScore.reduce((sum, row) => sum + Math.max(...codes.map((c) => row[c]!)), 0);
    };
    const stage2 = ranked(corpus, candidates, (doc) => approximate(doc, true), ndocs);
    finalists = ranked(corpus, stage2, (doc) => approximate(doc, false), Math.max(k, Math.ceil(ndocs / 4)));
  }
  return finalists
    .map((doc) => ({ seq: corpus.seqs[doc]!, score: exactScore(doc) }))
    .sort(compareScored)
    .slice(0, k);
}
