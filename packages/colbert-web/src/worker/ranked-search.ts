import type { ColbertTokenizer } from '../model/tokenizer.js';
import type { Hit, KeywordMatch, Ranking } from '../protocol/search-api.js';
import { analyze, analyzeSpans } from '../scoring/keyword/english-analyzer.js';
import { reciprocalRankFusion, weightedScoreFusion } from '../scoring/keyword/fusion.js';
import type { FusedHit } from '../scoring/keyword/fusion.js';
import type { ScoredDocument } from '../scoring/scorer.js';
import type { StoredDocument } from '../store/store-reads.js';
import type { ExplainedQuery } from './hits.js';
import { toHits } from './hits.js';
import type { KeywordMirror } from './keyword-mirror.js';
import type { ValidSearchOptions } from './validate-input.js';

/**
 * How deep each ranking of a hybrid search goes before fusion, at least: a document second in one ranking and
 * absent from the other's top k still fuses above one found by a single ranking, as in `eval --scorer hybrid`
 * (both rankings 100 deep).
 */
export const HYBRID_DEPTH = 100;

/** The model's ranking of the allowed documents, `k` deep, with what explanations need. */
export interface SemanticRanking {
  readonly scored: readonly ScoredDocument[];
  readonly query: ExplainedQuery;
}

export interface RankedSearchContext {
  /** Sequence numbers a metadata filter allows (undefined: every live document). */
  readonly only: Uint32Array | undefined;
  readonly keyword: KeywordMirror;
  /** The semantic ranking, `k` deep, of the same allowed documents (encodes the query). */
  semantic(k: number): Promise<SemanticRanking>;
  documents(seqs: readonly number[]): Promise<(StoredDocument | undefined)[]>;
  readonly tokenizer: ColbertTokenizer;
}

const NO_QUERY: ExplainedQuery = { tokens: [], kinds: [] };

/**
 * A keyword or hybrid search: BM25 over the stored text (no query encoding in keyword mode), or BM25 and MaxSim
 * fused. Each hit says which ranking found it, its rank and score there, and where a keyword hit's text holds the
 * query's terms; a hybrid hit the model found has its MaxSim `matches` when `explain` is asked.
 */
export async function rankedSearch(query: string, options: ValidSearchOptions, context: RankedSearchContext): Promise<Hit[]> {
  const { k, mode } = options;
  const depth = mode === 'hybrid' ? Math.max(k, HYBRID_DEPTH) : k;
  const only = context.only ? { only: context.only } : {};
  const keyword = context.keyword.search(query, { k: depth, ...only });
  const semantic = mode === 'hybrid' ? await context.semantic(depth) : undefined;
  const rankings = { semantic: semantic?.scored ?? [], keyword };
  const fused: FusedHit[] =
    mode === 'keyword'
      ? keyword.map((h, i) => ({ seq: h.seq, score: h.score, found: { keyword: { rank: i + 1, score: h.score } } }))
      : options.fusion === 'rrf'
        ? reciprocalRankFusion(rankings)
        : weightedScoreFusion(rankings, options.semanticWeight);
  const top = fused.slice(0, k);
  const stored = await context.documents(top.map((h) => h.seq));
  // A document removed by another tab between ranking and reading is left out, as semantic searches do.
  const kept = top.flatMap((hit, i) => (stored[i] ? [{ hit, doc: stored[i] }] : []));
  const matchesOf = new Map(semantic?.scored.map((s) => [s.seq, s.matches]));
  const scored = kept.map(({ hit }) => {
    const matches = options.explain ? matchesOf.get(hit.seq) : undefined;
    return { seq: hit.seq, score: hit.score, ...(matches ? { matches } : {}) };
  });
  const hits = toHits(scored, kept.map((h) => h.doc), semantic?.query ?? NO_QUERY, context.tokenizer);
  const terms = new Set(analyze(query));
  return hits.map((hit, i) => {
    const { found } = kept[i]!.hit;
    const names: Ranking[] = (['semantic', 'keyword'] as const).filter((name) => found[name] !== undefined);
    return {
      ...hit,
      found: names,
      rankings: found,
      ...(found.keyword ? { keywordMatches: keywordMatches(hit.text, terms) } : {}),
    };
  });
}

/** Every word of `text` whose analysed term is one of `terms`, in text order. */
export function keywordMatches(text: string | undefined, terms: ReadonlySet<string>): KeywordMatch[] {
  if (!text) return [];
  return analyzeSpans(text).filter((t) => terms.has(t.term));
}
