/**
 * The contract between the evaluation harness and whatever produces rankings (BM25, the word-piece-overlap
 * scorer, and later the SDK's own encode → store → score path). A scorer only has to turn queries into
 * ranked lists; loading, timing and the metrics live in the harness, so every scorer is measured the same way.
 */

/** A query to rank: its id in the qrels and its text. */
export interface EvalQuery {
  readonly id: string;
  readonly text: string;
}

/** A corpus document: its id in the qrels and the text that is indexed (BEIR: title + " " + text). */
export interface EvalDocument {
  readonly id: string;
  readonly text: string;
}

/** One ranked document of one query. */
export interface ScoredDocument {
  readonly docId: string;
  readonly score: number;
}

/**
 * Query id → its ranked documents, best first. The harness re-orders each list the way pytrec_eval does
 * (see metrics.ts), so only the scores matter unless the run's own order is asked for.
 */
export type Run = Map<string, ScoredDocument[]>;

/**
 * Ranks queries against a corpus the ranker was built on. Rankers return at least as many documents per
 * query as the deepest metric needs (100 for MAP@100) when the corpus has them.
 *
 * @example
 * const rank: Ranker = await createBm25Ranker(documents);
 * const run = await rank([{ id: '1', text: '0-dimensional biomaterials show inductive properties.' }]);
 * run.get('1')?.[0]; // { docId: '31715818', score: 17.3 }
 */
export type Ranker = (queries: readonly EvalQuery[]) => Promise<Run>;
