import { parseArgs } from 'node:util';
import type { LongDocumentMode, StoredPrecision } from 'colbert-web/node';
import { choice, invalidFlag as invalid, number } from '../flags.js';
import { progressLine } from '../progress.js';
import { queriesToEvaluate, readCorpus, readQrels, readQueries } from './beir-files.js';
import { evaluateRanker } from './harness.js';
import type { TieOrder } from './metrics.js';
import { MAX_DEPTH } from './metrics.js';
import type { EvalDocument } from './ranker.js';
import type { EvalReport } from './report.js';
import { formatReport } from './report.js';
import { SCORER_NAMES, SCORERS } from './scorers.js';
import { nbitsFlag } from '../compress-command-file.js';
import type { ScorerName } from './scorers.js';
import type { FusionName } from './fused-rankers.js';

export const EVAL_USAGE = `  eval --corpus <corpus.jsonl[.gz]> --queries <queries.jsonl[.gz]> --qrels <qrels.tsv|qrels/> [--split test]
       [--scorer model|bm25|overlap|hybrid] [--model <folder|url>] [--index <file>] [--long-documents truncate|split]
       [--precision int8|f16|f32] [--pool-factor N] [--nbits 2|4] [--rerank bm25:N] [--fusion rrf|weighted] [--semantic-weight 0.5]
       [--ties trec|run] [--top-k 100] [--bm25-k1 1.2] [--bm25-b 0.75] [--json]
      Ranks the BEIR queries of the split and prints nDCG@10, MRR@10, MAP@100 and Recall/Precision/Accuracy
      @1,3,5,10 (pytrec_eval definitions; --ties run keeps the scorer's order on equal scores instead of
      pytrec_eval's document-id order). --json prints one JSON object instead of the table.
      --scorer hybrid fuses the model's and BM25's rankings (reciprocal rank fusion, k 60, or --fusion weighted:
      min-max normalised scores, --semantic-weight of the model's); --rerank bm25:N has the model rank only BM25's
      best N documents of each query.
`;

/** `--rerank bm25:N`: the first stage's depth N (the model scorer only). */
function rerankFlag(value: string, scorer: ScorerName): number {
  const match = /^bm25:(.+)$/.exec(value);
  if (!match) throw invalid('--rerank', `--rerank must be bm25:N, BM25's best N documents per query (got "${value}").`);
  if (scorer !== 'model') throw invalid('--rerank', `--rerank reranks with the model: use it with --scorer model (got --scorer ${scorer}).`);
  return number('--rerank', match[1]!, true);
}

/** `colbert-web eval`: BEIR files in, retrieval metrics out (a table, or JSON with --json). */
export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      corpus: { type: 'string' },
      queries: { type: 'string' },
      qrels: { type: 'string' },
      split: { type: 'string', default: 'test' },
      scorer: { type: 'string', default: 'model' },
      model: { type: 'string' },
      index: { type: 'string' },
      'long-documents': { type: 'string', default: 'truncate' },
      precision: { type: 'string', default: 'int8' },
      'pool-factor': { type: 'string', default: '1' },
      nbits: { type: 'string' },
      ties: { type: 'string', default: 'trec' },
      'top-k': { type: 'string', default: String(MAX_DEPTH) },
      'bm25-k1': { type: 'string', default: '1.2' },
      'bm25-b': { type: 'string', default: '0.75' },
      rerank: { type: 'string' },
      fusion: { type: 'string', default: 'rrf' },
      'semantic-weight': { type: 'string', default: '0.5' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  for (const name of ['corpus', 'queries', 'qrels'] as const) {
    if (!values[name]) throw invalid(`--${name}`, `eval needs --${name}.`);
  }
  const scorer = choice<ScorerName>('--scorer', values.scorer, SCORER_NAMES);
  const longDocuments = choice<LongDocumentMode>('--long-documents', values['long-documents'], ['truncate', 'split']);
  const precision = choice<StoredPrecision>('--precision', values.precision, ['int8', 'f16', 'f32']);
  const poolFactor = number('--pool-factor', values['pool-factor'], true);
  const nbits = nbitsFlag(values.nbits);
  const ties = choice<TieOrder>('--ties', values.ties, ['trec', 'run']);
  const topK = number('--top-k', values['top-k'], true);
  const bm25 = { k1: number('--bm25-k1', values['bm25-k1'], false), b: number('--bm25-b', values['bm25-b'], false) };
  const fusion = { name: choice<FusionName>('--fusion', values.fusion, ['rrf', 'weighted']), semanticWeight: number('--semantic-weight', values['semantic-weight'], false) };
  if (fusion.semanticWeight > 1) throw invalid('--semantic-weight', `--semantic-weight must be between 0 and 1 (got "${values['semantic-weight']}").`);
  const rerankDepth = values.rerank === undefined ? undefined : rerankFlag(values.rerank, scorer);

  const started = performance.now();
  const qrels = await readQrels(values.qrels!, values.split);
  const queries = queriesToEvaluate(qrels, await readQueries(values.queries!));
  const documents: EvalDocument[] = [];
  for await (const doc of readCorpus(values.corpus!)) documents.push(doc);
  const loadMs = performance.now() - started;
  progressLine(`read ${documents.length} documents, ${queries.length} ${values.split} queries`, started);

  const indexStarted = performance.now();
  const prepared = await SCORERS[scorer]({
    corpus: values.corpus!,
    documents,
    precision,
    ...(values.model ? { model: values.model } : {}),
    ...(values.index ? { index: values.index } : {}),
    longDocuments,
    poolFactor,
    ...(nbits ? { nbits } : {}),
    topK,
    bm25,
    fusion,
    ...(rerankDepth !== undefined ? { rerankDepth } : {}),
  });
  const indexMs = performance.now() - indexStarted;
  progressLine(`indexed with ${scorer}`, started);

  const result = await evaluateRanker(prepared.ranker, queries, qrels, { ties }).finally(() => prepared.close?.());
  progressLine(`ranked ${queries.length} queries`, started);
  const report: EvalReport = {
    scorer,
    corpus: { path: values.corpus!, documents: documents.length },
    queries: { path: values.queries!, evaluated: result.queries, skippedWithoutRelevant: result.skipped },
    qrels: { path: values.qrels!, split: values.split },
    settings: prepared.settings,
    ties,
    metrics: result.mean,
    timings: { loadMs: Math.round(loadMs), indexMs: Math.round(indexMs), rankMs: Math.round(result.rankMs) },
  };
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}
