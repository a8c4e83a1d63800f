/**
 * Retrieval metrics with trec_eval's definitions, as pytrec_eval computes them (BEIR's EvaluateRetrieval and the
 * numbers PyLate model cards quote): nDCG@10 (`ndcg_cut.10`), MAP@100 (`map_cut.100`), Recall@k (`recall.k`),
 * Precision@k (`P.k`), plus MRR@10 (trec_eval's `recip_rank` cut at 10) and Accuracy@k (a relevant document in
 * the top k, sentence-transformers' `accuracy@k`).
 *
 * What trec_eval does and this file reproduces (usnistgov/trec_eval 9.0.x, the sources pytrec_eval compiles):
 * - Ranking: `form_res_rels.c` sorts each query's results with `comp_sim_docno`: score descending, then
 *   `strcmp(b.docno, a.docno)`, i.e. document ids in DEScending byte order on ties. The order a run lists its
 *   documents in is ignored (pytrec_eval receives a dict anyway). Scores are compared as doubles (trec_eval 8
 *   stored them as floats; 9.x as doubles).
 * - Relevance: a document is relevant when its qrels grade ≥ 1 (relevance_level 1). A retrieved document missing
 *   from the qrels is non-relevant. Qrels documents that were never retrieved (or are not even in the corpus)
 *   still count in the recall denominator and in the ideal DCG.
 * - nDCG gains are the raw grades (gain = rel, not 2^rel − 1), discounted by log2(rank + 1), rank from 1; the
 *   ideal ranking is the qrels' positive grades sorted descending, cut at the same depth.
 * - MAP@k sums precision at each relevant rank ≤ k and divides by ALL relevant documents of the query, not by
 *   min(k, relevant) as sentence-transformers does.
 * - Precision@k divides by k even when fewer than k documents were retrieved.
 * Queries whose qrels have no relevant document are skipped (they would score 0 everywhere). Unlike pytrec_eval,
 * a judged query that the run has no results for is NOT dropped: it scores 0 (trec_eval's `-c`), so a scorer
 * cannot improve its average by returning nothing.
 */
import { ColbertError, ErrorCode } from 'colbert-web/node';
import type { Run, ScoredDocument } from './ranker.js';

/** Query id → document id → relevance grade (BEIR qrels `score`; ≥ 1 is relevant). */
export type Qrels = Map<string, Map<string, number>>;

/** The cutoffs of the Recall, Precision and Accuracy families. */
export const CUTOFFS = [1, 3, 5, 10] as const;
type Cutoff = (typeof CUTOFFS)[number];

/** Every metric the harness reports. */
export type MetricName = 'ndcg@10' | 'mrr@10' | 'map@100' | `${'recall' | 'precision' | 'accuracy'}@${Cutoff}`;

/** The metric names in report order. */
export const METRIC_NAMES: readonly MetricName[] = [
  'ndcg@10',
  'mrr@10',
  'map@100',
  ...(['recall', 'precision', 'accuracy'] as const).flatMap((family) => CUTOFFS.map((k) => `${family}@${k}` as const)),
];

/** The deepest rank any metric looks at: rankers must return at least this many documents per query. */
export const MAX_DEPTH = 100;

export type MetricValues = Record<MetricName, number>;

/** How ties in score are ordered: like pytrec_eval (document id descending), or as the run lists them. */
export type TieOrder = 'trec' | 'run';

export interface EvaluateOptions {
  /** Default 'trec', so numbers compare with BEIR/PyLate; 'run' keeps the scorer's own order (e.g. corpus order). */
  readonly ties?: TieOrder;
}

/** Mean metrics over the evaluated queries, and each query's values. */
export interface Evaluation {
  /** Queries evaluated: those with at least one relevant document. */
  readonly queries: number;
  /** Qrels queries skipped because none of their documents is relevant. */
  readonly skipped: number;
  readonly mean: MetricValues;
  readonly perQuery: Map<string, MetricValues>;
}

/** Byte order of the UTF-8 encodings (what strcmp compares), which is code point order. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every BMP character in code point order, though not in UTF-16.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * A query's results in trec_eval's rank order: score descending, ties by document id descending.
 *
 * @example
 * trecOrder([{ docId: 'a', score: 1 }, { docId: 'b', score: 1 }, { docId: 'c', score: 2 }]).map((d) => d.docId); // ['c', 'b', 'a']
 */
export function trecOrder(results: readonly ScoredDocument[]): ScoredDocument[] {
  return [...results].sort((x, y) => (x.score === y.score ? compareCodePoints(y.docId, x.docId) : y.score - x.score));
}

/**
 * The metrics of one query, from its ranked document ids (best first) and its judgments.
 *
 * @example
 * queryMetrics(['d3', 'd1'], new Map([['d1', 1]]))['mrr@10']; // 0.5
 */
export function queryMetrics(ranked: readonly string[], judgments: ReadonlyMap<string, number>): MetricValues {
  const grades = [...judgments.values()];
  const relevantTotal = grades.filter((g) => g >= 1).length;
  const ideal = grades.filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(10, ideal.length); i++) idcg += ideal[i]! / Math.log2(i + 2);

  const values = {} as MetricValues;
  let dcg = 0;
  let relevantSoFar = 0;
  let precisionSum = 0;
  let firstRelevant = 0; // 1-based rank of the first relevant document, 0 if none within the depth
  const depth = Math.min(ranked.length, MAX_DEPTH);
  const atCutoff = new Map<number, number>(); // cutoff → relevant documents in the top `cutoff`
  for (let i = 0; i < depth; i++) {
    const grade = judgments.get(ranked[i]!) ?? 0;
    if (i < 10 && grade > 0) dcg += grade / Math.log2(i + 2);
    if (grade >= 1) {
      relevantSoFar++;
      precisionSum += relevantSoFar / (i + 1);
      if (firstRelevant === 0) firstRelevant = i + 1;
    }
    atCutoff.set(i + 1, relevantSoFar);
  }
  const relevantAt = (k: number): number => atCutoff.get(Math.min(k, depth)) ?? 0;
  values['ndcg@10'] = idcg > 0 ? dcg / idcg : 0;
  values['mrr@10'] = firstRelevant > 0 && firstRelevant <= 10 ? 1 / firstRelevant : 0;
  values['map@100'] = relevantTotal > 0 ? precisionSum / relevantTotal : 0;
  for (const k of CUTOFFS) {
    const hits = relevantAt(k);
    values[`recall@${k}`] = relevantTotal > 0 ? hits / relevantTotal : 0;
    values[`precision@${k}`] = hits / k;
    values[`accuracy@${k}`] = hits > 0 ? 1 : 0;
  }
  return values;
}

/**
 * Evaluates a run against qrels: every qrels query with a relevant document, averaged with equal weight.
 * Throws `ColbertError` (InvalidInput) when a query's results list a document twice (trec_eval refuses such
 * runs too) or hold a score that is not a finite number.
 *
 * @example
 * const { mean } = evaluateRun(qrels, await rank(queries));
 * mean['ndcg@10'];
 */
export function evaluateRun(qrels: Qrels, run: Run, options: EvaluateOptions = {}): Evaluation {
  const ties = options.ties ?? 'trec';
  const perQuery = new Map<string, MetricValues>();
  let skipped = 0;
  for (const [queryId, judgments] of qrels) {
    if (![...judgments.values()].some((g) => g >= 1)) {
      skipped++;
      continue;
    }
    const results = run.get(queryId) ?? [];
    checkResults(queryId, results);
    const ordered = ties === 'trec' ? trecOrder(results) : results;
    perQuery.set(queryId, queryMetrics(ordered.map((r) => r.docId), judgments));
  }
  const mean = {} as MetricValues;
  for (const name of METRIC_NAMES) {
    let sum = 0;
    for (const values of perQuery.values()) sum += values[name];
    mean[name] = perQuery.size > 0 ? sum / perQuery.size : 0;
  }
  return { queries: perQuery.size, skipped, mean, perQuery };
}

function checkResults(queryId: string, results: readonly ScoredDocument[]): void {
  const seen = new Set<string>();
  for (const { docId, score } of results) {
    if (seen.has(docId)) throw new ColbertError(ErrorCode.InvalidInput, `Query ${queryId}: document ${docId} is ranked twice.`, { subject: `run:${queryId}` });
    if (!Number.isFinite(score)) throw new ColbertError(ErrorCode.InvalidInput, `Query ${queryId}: document ${docId} has score ${score}.`, { subject: `run:${queryId}` });
    seen.add(docId);
  }
}
