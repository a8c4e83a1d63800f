import { referenceMaxSim } from '../reference-f64.js';
import type { TokenMatch } from '../scorer.js';
import type { F32TokenMatrix } from '../token-matrix.js';
import type { CompressedCorpus } from './compressed-corpus.js';
import { referenceDecodeDocument } from './reference-f64.js';

/**
 * The explanation of a compressed hit: for each query token, the document token it matched best and q·d, over the
 * document's tokens decoded as the index defines them (normalize(centroid + weights), in float64). Only the k hits a
 * search returns are explained, so the plain loops of the float64 reference cost little (k · tokens · rows · dim),
 * and the scores add up to the hit's score within the kernels' float32 rounding.
 *
 * @example
 * const matches = compressedMatches(corpus, corpus.positionOf(hit.seq), query);
 */
export function compressedMatches(corpus: CompressedCorpus, position: number, query: F32TokenMatrix): TokenMatch[] {
  return referenceMaxSim(Float64Array.from(query.values), referenceDecodeDocument(corpus, position), corpus.dim).matches;
}
