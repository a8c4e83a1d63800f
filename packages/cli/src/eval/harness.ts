/**
 * Runs a ranker over the evaluated queries and scores the run: one code path for every scorer, so BM25, the
 * overlap reference and the model differ only in the `Ranker` they hand in.
 */
import type { EvaluateOptions, Evaluation, Qrels } from './metrics.js';
import { evaluateRun } from './metrics.js';
import type { EvalQuery, Ranker, Run } from './ranker.js';

/** An evaluation and the time the ranker took. */
export interface HarnessResult extends Evaluation {
  readonly run: Run;
  /** Wall time of `ranker(queries)`, milliseconds. */
  readonly rankMs: number;
}

/**
 * Ranks `queries` with `ranker` and evaluates the run against `qrels`.
 *
 * @example
 * const result = await evaluateRanker(createBm25Ranker(documents), queries, qrels);
 * result.mean['ndcg@10'];
 */
export async function evaluateRanker(ranker: Ranker, queries: readonly EvalQuery[], qrels: Qrels, options: EvaluateOptions = {}): Promise<HarnessResult> {
  const started = performance.now();
  const run = await ranker(queries);
  const rankMs = performance.now() - started;
  return { ...evaluateRun(qrels, run, options), run, rankMs };
}
