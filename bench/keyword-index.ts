/**
 * The keyword index (BM25) on SciFact: add throughput, bytes per document, query latency and nDCG@10, against
 * MiniSearch (the keyword search library web apps reach for) in the same run, both given the same analyzer
 * (Lucene-English terms) so the comparison is of the index, not of tokenisation. Documents are added in batches of
 * 16, as `search.add` commits them. Memory is the JS heap growth after a forced GC (run with --expose-gc).
 *
 *   node --expose-gc --import tsx bench/keyword-index.ts
 */
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { analyzeEnglish, KeywordIndex, segmentTerms } from 'colbert-web/node';
import { queriesToEvaluate, readCorpus, readQrels, readQueries } from '../packages/cli/src/eval/beir-files.js';
import { evaluateRanker } from '../packages/cli/src/eval/harness.js';
import type { EvalDocument, Ranker, Run } from '../packages/cli/src/eval/ranker.js';
import { SHARED } from './corpus.js';
import { environment, fmt, report, summarise } from './stats.js';
import type { Summary } from './stats.js';

const scifact = join(SHARED, 'data/scifact');
const BATCH = 16;

function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

interface Result {
  index: string;
  addMs: number;
  documentsPerSecond: number;
  heapBytesPerDocument: number;
  reportedBytesPerDocument: number | null;
  queryMs: Summary;
  ndcg10: number;
}

const documents: EvalDocument[] = [];
for await (const doc of readCorpus(join(scifact, 'corpus.jsonl.gz'))) documents.push(doc);
const qrels = await readQrels(join(scifact, 'qrels'), 'test');
const queries = queriesToEvaluate(qrels, await readQueries(join(scifact, 'queries.jsonl.gz')));

async function measure(name: string, build: () => { rank: (text: string) => { id: string; score: number }[]; bytes?: () => number }): Promise<Result> {
  const before = heap();
  const started = performance.now();
  const built = build();
  const addMs = performance.now() - started;
  const grown = heap() - before;
  const times: number[] = [];
  const ranker: Ranker = (qs) => {
    const run: Run = new Map();
    for (const q of qs) {
      const t0 = performance.now();
      run.set(q.id, built.rank(q.text).map((h) => ({ docId: h.id, score: h.score })));
      times.push(performance.now() - t0);
    }
    return Promise.resolve(run);
  };
  const { mean } = await evaluateRanker(ranker, queries, qrels);
  return {
    index: name,
    addMs,
    documentsPerSecond: (documents.length / addMs) * 1000,
    heapBytesPerDocument: grown / documents.length,
    reportedBytesPerDocument: built.bytes ? built.bytes() / documents.length : null,
    queryMs: summarise(times),
    ndcg10: mean['ndcg@10']!,
  };
}

const ours = await measure('colbert-web KeywordIndex (BM25, k1 1.2, b 0.75)', () => {
  const index = new KeywordIndex();
  for (let start = 0; start < documents.length; start += BATCH) {
    const batch = documents.slice(start, start + BATCH);
    index.append(Uint32Array.from(batch, (_, i) => start + i), segmentTerms(batch.map((d) => analyzeEnglish(d.text))));
  }
  return {
    rank: (text) => index.search(analyzeEnglish(text), { k: 100 }).map((h) => ({ id: documents[h.seq]!.id, score: h.score })),
    bytes: () => index.bytes,
  };
});

const peer = await measure('MiniSearch 7 (BM25+, same analyzer)', () => {
  const mini = new MiniSearch<EvalDocument>({ fields: ['text'], storeFields: [], tokenize: (text) => analyzeEnglish(text), processTerm: (term) => term });
  for (let start = 0; start < documents.length; start += BATCH) mini.addAll(documents.slice(start, start + BATCH));
  return { rank: (text) => mini.search(text).slice(0, 100).map((h) => ({ id: String(h.id), score: h.score })) };
});

const results = [ours, peer];
report('keyword-index', { environment: environment(), documents: documents.length, queries: queries.length, results }, ['index', 'add (docs/s)', 'heap bytes/doc', 'query p50 ms', 'query p95 ms', 'nDCG@10'], results.map((r) => [r.index, fmt(r.documentsPerSecond, 0), fmt(r.heapBytesPerDocument, 0), fmt(r.queryMs.median, 2), fmt(r.queryMs.p95, 2), r.ndcg10.toFixed(4)]));
