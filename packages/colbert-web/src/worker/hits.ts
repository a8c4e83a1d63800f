import type { EncodedText } from '../model/prepared.js';
import type { ColbertTokenizer } from '../model/tokenizer.js';
import type { Hit, Match } from '../protocol/search-api.js';
import type { ScoredDocument } from '../scoring/scorer.js';
import type { StoredDocument } from '../store/store-reads.js';

/**
 * Scorer results + stored documents → the hits the app sees. A match's document token is located through the
 * stored spans, so highlights point into the document's own text.
 */
export function toHits(
  scored: readonly ScoredDocument[],
  documents: readonly (StoredDocument | undefined)[],
  query: Pick<EncodedText, 'tokens'>,
  tokenizer: ColbertTokenizer,
): Hit[] {
  const hits: Hit[] = [];
  scored.forEach((s, i) => {
    const doc = documents[i];
    if (!doc) return; // removed by another tab between scoring and reading
    const hit: Hit = { id: doc.id, score: s.score, text: doc.text, metadata: doc.metadata, truncated: doc.truncated };
    hits.push(s.matches ? { ...hit, matches: s.matches.map((m) => toMatch(m, doc, query, tokenizer)) } : hit);
  });
  return hits;
}

function toMatch(
  m: { queryToken: number; documentToken: number; score: number },
  doc: StoredDocument,
  query: Pick<EncodedText, 'tokens'>,
  tokenizer: ColbertTokenizer,
): Match {
  return {
    queryToken: query.tokens[m.queryToken] ?? '',
    queryIndex: m.queryToken,
    start: doc.spans[2 * m.documentToken] ?? -1,
    end: doc.spans[2 * m.documentToken + 1] ?? -1,
    documentToken: tokenizer.idToToken(doc.tokenIds[m.documentToken] ?? -1) ?? '',
    score: m.score,
  };
}
