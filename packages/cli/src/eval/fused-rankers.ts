/**
 * Rankers that combine the model with BM25 (`eval --scorer hybrid`, `eval --rerank bm25:N`), through the SDK's
 * fusion and its scorer's candidate filter, so the CLI measures what an app gets from `search({ mode: 'hybrid' })`
 * and `rerank`.
 */
import { reciprocalRankFusion, RRF_K, weightedScoreFusion } from 'colbert-web/node';
import type { RankedDocument } from 'colbert-web/node';
import type { ModelRanker } from './model-ranker.js';
import type { EvalDocument, Ranker, Run, ScoredDocument } from './ranker.js';

export type FusionName = 'rrf' | 'weighted';

export interface HybridOptions {
  readonly fusion: FusionName;
  /** Weighted fusion: the semantic ranking's weight in [0, 1]. */
  readonly semanticWeight: number;
  readonly topK: number;
}

/** The model's and BM25's rankings of each query (each `topK` deep), fused, cut to `topK`. */
export function createHybridRanker(model: Ranker, bm25: Ranker, documents: readonly EvalDocument[], options: HybridOptions): Ranker {
  // Fusion works on sequence numbers: a document's position in the corpus.
  const position = new Map(documents.map((d, i) => [d.id, i]));
  const ranked = (list: readonly ScoredDocument[]): RankedDocument[] => list.map((d) => ({ seq: position.get(d.docId)!, score: d.score }));
  return async (queries) => {
    const [semantic, keyword] = await Promise.all([model(queries), bm25(queries)]);
    const run: Run = new Map();
    for (const q of queries) {
      const rankings = { semantic: ranked(semantic.get(q.id) ?? []), keyword: ranked((keyword.get(q.id) ?? []).filter((d) => d.score > 0)) };
      const fused = options.fusion === 'rrf' ? reciprocalRankFusion(rankings, RRF_K) : weightedScoreFusion(rankings, options.semanticWeight);
      run.set(q.id, fused.slice(0, options.topK).map((h) => ({ docId: documents[h.seq]!.id, score: h.score })));
    }
    return run;
  };
}

/** BM25's best `depth` documents of each query, put in order by the model (PyLate's rerank of a first stage). */
export function createRerankRanker(model: ModelRanker, bm25: Ranker): Ranker {
  return async (queries) => {
    const firstStage = await bm25(queries);
    // Only documents that share a term with the query are BM25's candidates.
    const candidates = new Map([...firstStage].map(([id, list]) => [id, list.filter((d) => d.score > 0).map((d) => d.docId)]));
    return model.rankAmong(queries, candidates);
  };
}
