import type { EncodedText } from '../model/prepared.js';
import type { TokenSimilarities } from '../protocol/search-api.js';

/** Every query row · every document row (both L2-normalised float32): the matrix MaxSim takes row maxima of. */
export function tokenSimilarities(query: EncodedText, document: EncodedText): TokenSimilarities {
  const { dim } = query;
  const values = new Float32Array(query.rows * document.rows);
  for (let q = 0; q < query.rows; q++) {
    for (let d = 0; d < document.rows; d++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += query.vectors[q * dim + i]! * document.vectors[d * dim + i]!;
      values[q * document.rows + d] = dot;
    }
  }
  return { queryTokens: query.tokens, documentTokens: document.tokens, documentSpans: document.spans, values };
}
