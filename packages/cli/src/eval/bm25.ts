/**
 * The BM25 baseline of `colbert-web eval --scorer bm25`: the SDK's keyword index (Lucene's BM25Similarity over the
 * Lucene-English analyzer, packages/colbert-web/src/scoring/keyword/) over the whole corpus, indexed once.
 * Defaults k1 = 1.2, b = 0.75 are Elasticsearch's, used for BEIR's BM25 numbers.
 */
import { analyzeEnglish, BM25_DEFAULTS, KeywordIndex, segmentTerms } from 'colbert-web/node';
import type { EvalDocument, Ranker, Run } from './ranker.js';
import { topK } from './top-k.js';

export interface Bm25Options {
  /** Term-frequency saturation. Default 1.2. */
  readonly k1?: number;
  /** Length normalisation. Default 0.75. */
  readonly b?: number;
  /** Documents returned per query. Default 100. */
  readonly topK?: number;
}

/**
 * A BM25 ranker over `documents` (indexed once, here). Every document gets a score (0 when it shares no term with
 * the query); ties keep corpus order.
 *
 * @example
 * const rank = createBm25Ranker(documents, { k1: 0.9, b: 0.4 });
 * const run = await rank(queries);
 */
export function createBm25Ranker(documents: readonly EvalDocument[], options: Bm25Options = {}): Ranker {
  const index = new KeywordIndex({ k1: options.k1 ?? BM25_DEFAULTS.k1, b: options.b ?? BM25_DEFAULTS.b });
  index.append(
    Uint32Array.from(documents, (_, i) => i),
    segmentTerms(documents.map((d) => analyzeEnglish(d.text))),
  );
  const k = options.topK ?? 100;
  return (queries) => {
    const run: Run = new Map();
    for (const query of queries) run.set(query.id, topK(index.score(analyzeEnglish(query.text)), documents, k));
    return Promise.resolve(run);
  };
}
