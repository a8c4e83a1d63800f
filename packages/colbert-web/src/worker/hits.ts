import type { ColbertTokenizer } from '../model/tokenizer.js';
import type { Hit, Match, QueryTokenKind } from '../protocol/search-api.js';
import type { ScoredDocument } from '../scoring/scorer.js';
import type { StoredDocument } from '../store/store-reads.js';
import { rowMembers } from '../model/pooling/pool-document.js';

/** The query side of explanations: each row's token and kind. */
export interface ExplainedQuery {
  readonly tokens: readonly string[];
  readonly kinds: readonly QueryTokenKind[];
}

/**
 * Scorer results + stored documents → the hits the app sees. A match's document row is located through the
 * stored spans (all its tokens' spans for a pooled row), so highlights point into the document's own text.
 */
export function toHits(scored: readonly ScoredDocument[], documents: readonly (StoredDocument | undefined)[], query: ExplainedQuery, tokenizer: ColbertTokenizer): Hit[] {
  const hits: Hit[] = [];
  scored.forEach((s, i) => {
    const doc = documents[i];
    if (!doc) return; // removed by another tab between scoring and reading
    const hit: Hit = { id: doc.id, score: s.score, text: doc.text, metadata: doc.metadata, truncated: doc.truncated };
    if (!s.matches) {
      hits.push(hit);
      return;
    }
    const rows = documentRows(doc, tokenizer);
    hits.push({ ...hit, matches: s.matches.map((m) => toMatch(m, rows, query)) });
  });
  return hits;
}

/** A document row as explanations show it: the tokens it stands for, spelled, with their [start, end) offsets. */
export interface RowTokens {
  readonly tokens: string[];
  readonly spans: Array<[number, number]>;
}

/** Per row of a document (`rows`, with `tokenRows` when pooled), its tokens in document order. */
export function rowTokens(rows: number, ids: Int32Array, spans: Int32Array, tokenRows: Int32Array | undefined, spell: (token: number) => string): RowTokens[] {
  return rowMembers({ rows, ids, tokenRows }).map((members) => ({
    tokens: members.map(spell),
    spans: members.map((t): [number, number] => [spans[2 * t]!, spans[2 * t + 1]!]),
  }));
}

function documentRows(doc: StoredDocument, tokenizer: ColbertTokenizer): RowTokens[] {
  const rows = doc.tokenRows ? doc.tokenRows.reduce((max, r) => Math.max(max, r), -1) + 1 : doc.tokenIds.length;
  return rowTokens(rows, doc.tokenIds, doc.spans, doc.tokenRows, (t) => tokenizer.idToToken(doc.tokenIds[t]!) ?? '');
}

function toMatch(
  m: { queryToken: number; documentToken: number; score: number },
  rows: readonly RowTokens[],
  query: ExplainedQuery,
): Match {
  const row = rows[m.documentToken];
  const [start, end] = row?.spans[0] ?? [-1, -1];
  return {
    queryToken: query.tokens[m.queryToken] ?? '',
    queryIndex: m.queryToken,
    queryKind: query.kinds[m.queryToken] ?? 'special',
    start,
    end,
    spans: row?.spans ?? [],
    documentToken: row?.tokens.join(' ') ?? '',
    score: m.score,
  };
}
