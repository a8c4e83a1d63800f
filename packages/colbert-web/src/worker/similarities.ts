import type { EncodedText } from '../model/prepared.js';
import type { QueryTokenKind, TokenSimilarities } from '../protocol/search-api.js';
import { rowTokens } from './hits.js';

/** Every query row · every document row (float32 rows): the matrix MaxSim takes row maxima of. */
export function tokenSimilarities(query: EncodedText, document: EncodedText, queryKinds: readonly QueryTokenKind[]): TokenSimilarities {
  const { dim } = query;
  const values = new Float32Array(query.rows * document.rows);
  for (let q = 0; q < query.rows; q++) {
    for (let d = 0; d < document.rows; d++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += query.vectors[q * dim + i]! * document.vectors[d * dim + i]!;
      values[q * document.rows + d] = dot;
    }
  }
  const documentRows = rowTokens(document.rows, document.ids, document.spans, document.tokenRows, (t) => document.tokens[t]!);
  return {
    queryTokens: query.tokens,
    queryKinds,
    documentTokens: documentRows.map((r) => r.tokens.join(' ')),
    documentSpans: Int32Array.from(documentRows.flatMap((r) => r.spans[0] ?? [-1, -1])),
    documentRows,
    values,
  };
}
