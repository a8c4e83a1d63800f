import type { CompressedCorpus } from './compressed-corpus.js';
import type { QueryTables } from './query-tables.js';

/**
 * MaxSim of the query against document `doc`'s decoded tokens normalize(centroid + weights), without
 * materialising them: q·decoded = (centroidScores + Σ residual-byte lookups) / ‖centroid + weights‖, the norm
 * computed once per token. `best` is scratch of at least `tables.rows` entries.
 */
export function decompressedMaxSim(corpus: CompressedCorpus, doc: number, tables: QueryTables, best: Float64Array): number {
  const { dim, nbits, residualBytes: bytes } = corpus;
  const { rows, centroidScores, residualScores } = tables;
  const centroids = corpus.table.centroids;
  const weights = corpus.codec.weights;
  const codes = corpus.codes;
  const residuals = corpus.residuals;
  const starts = corpus.tokenStart;
  const buckets = 1 << nbits;
  const mask = buckets - 1;
  const perByte = 8 / nbits;
  best.fill(-Infinity, 0, rows);
  for (let t = starts[doc]!; t < starts[doc + 1]!; t++) {
    const c = codes[t]!;
    const at = t * bytes;
    let norm2 = 0;
    for (let p = 0; p < bytes; p++) {
      const byte = residuals[at + p]!;
      for (let s = 0; s < perByte; s++) {
        const i = p * perByte + s;
        if (i >= dim) break;
        const v = centroids[c * dim + i]! + weights[i * buckets + ((byte >> (s * nbits)) & mask)]!;
        norm2 += v * v;
      }
    }
    const inverse = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    for (let q = 0; q < rows; q++) {
      let dot = centroidScores[c * rows + q]!;
      const base = q * bytes * 256;
      for (let p = 0; p < bytes; p++) dot += residualScores[base + p * 256 + residuals[at + p]!]!;
      const score = dot * inverse;
      if (score > best[q]!) best[q] = score;
    }
  }
  let sum = 0;
  for (let q = 0; q < rows; q++) sum += best[q]!;
  return sum;
}

/**
 * Σ over query tokens of the best centroid score among document `doc`'s tokens (PLAID's approximate score),
 * counting only tokens whose centroid `relevant` marks when it is given (stage 2's pruning; 0 if none is).
 */
export function centroidMaxSim(corpus: CompressedCorpus, doc: number, tables: QueryTables, best: Float64Array, relevant?: Uint8Array): number {
  const { rows, centroidScores } = tables;
  const codes = corpus.codes;
  const starts = corpus.tokenStart;
  best.fill(-Infinity, 0, rows);
  let counted = 0;
  for (let t = starts[doc]!; t < starts[doc + 1]!; t++) {
    const c = codes[t]!;
    if (relevant && relevant[c] === 0) continue;
    counted++;
    for (let q = 0; q < rows; q++) {
      const score = centroidScores[c * rows + q]!;
      if (score > best[q]!) best[q] = score;
    }
  }
  if (counted === 0) return 0;
  let sum = 0;
  for (let q = 0; q < rows; q++) sum += best[q]!;
  return sum;
}
