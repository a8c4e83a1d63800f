import { float16BitsToFloat32 } from '../model/float16.js';
import { quantizeQuery } from './query.js';
import { compareScored, type DocumentBatch, type ScoredDocument, type ScoreOptions, type TokenMatch } from './scorer.js';
import type { F32TokenMatrix, TokenMatrix } from './token-matrix.js';

/**
 * The float64 oracle of every MaxSim kernel: plain loops, no tiling, no tricks.
 *
 * Semantics per stored precision (the kernels must match these, not the unquantised vectors):
 * - f32: Σ_q max_d q·d on the float32 values;
 * - f16: the same on the float16 values decoded exactly;
 * - int8: the query is quantised with `quantizeQuery` (±63 per token) and each q·d is
 *   (q_scale · d_scale) · Σ q_int · d_int — the integer dot product the kernels compute exactly.
 */

/** Stored rows → float64 values (int8: integer × scale), or into `out` (a Float32Array rounds each value once). */
export function decodeTokens<T extends Float64Array | Float32Array = Float64Array>(matrix: TokenMatrix, out: T = new Float64Array(matrix.values.length) as T): T {
  if (matrix.precision === 'f32') out.set(matrix.values);
  else if (matrix.precision === 'f16') for (let i = 0; i < out.length; i++) out[i] = float16BitsToFloat32(matrix.values[i]!);
  else for (let i = 0; i < out.length; i++) out[i] = matrix.values[i]! * matrix.scales[Math.floor(i / matrix.dim)]!;
  return out;
}

/** The query as a scorer over `precision` documents sees it, in float64. */
export function referenceQuery(query: F32TokenMatrix, precision: TokenMatrix['precision']): Float64Array {
  return precision === 'int8' ? decodeTokens(quantizeQuery(query)) : Float64Array.from(query.values);
}

/** MaxSim of one query against one document's rows, with each query token's best document token. */
export function referenceMaxSim(
  query: Float64Array,
  document: Float64Array,
  dim: number,
): { score: number; matches: TokenMatch[] } {
  const queryRows = query.length / dim;
  const documentRows = document.length / dim;
  const matches: TokenMatch[] = [];
  let score = 0;
  for (let q = 0; q < queryRows; q++) {
    let best = -Infinity;
    let bestToken = -1;
    for (let d = 0; d < documentRows; d++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += query[q * dim + i]! * document[d * dim + i]!;
      if (dot > best) {
        best = dot;
        bestToken = d;
      }
    }
    matches.push({ queryToken: q, documentToken: bestToken, score: best });
    score += best;
  }
  return { score, matches };
}

/**
 * The reference ranking over a corpus given as the batches appended to a scorer, minus `removed` sequence
 * numbers: every live document scored, sorted by score then sequence number, cut to k.
 */
export function referenceScore(
  query: F32TokenMatrix,
  batches: readonly DocumentBatch[],
  options: ScoreOptions & { removed?: ReadonlySet<number> },
): ScoredDocument[] {
  const only = options.only ? new Set(options.only) : undefined;
  const scored: ScoredDocument[] = [];
  for (const batch of batches) {
    const { dim } = batch.tokens;
    const q = referenceQuery(query, batch.tokens.precision);
    const rows = decodeTokens(batch.tokens);
    let start = 0;
    for (let i = 0; i < batch.lengths.length; i++) {
      const length = batch.lengths[i]!;
      const seq = batch.seqs[i]!;
      const document = rows.subarray(start * dim, (start + length) * dim);
      start += length;
      if (options.removed?.has(seq) || (only && !only.has(seq))) continue;
      const { score, matches } = referenceMaxSim(q, document, dim);
      scored.push(options.explain ? { seq, score, matches } : { seq, score });
    }
  }
  return scored.sort(compareScored).slice(0, Math.max(0, options.k));
}
