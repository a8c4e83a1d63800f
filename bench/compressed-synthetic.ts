/**
 * Latency of the compressed, pruned search against the exact int8 scan (the WebAssembly scorer, same run) on
 * synthetic corpora of 1M and 3M tokens, d = 128, SciFact's document lengths repeated, 32-token queries built
 * from a document's words (packages/colbert-web/src/testing/clustered-corpus.ts). Node, one process.
 *
 *   npx tsx bench/compressed-synthetic.ts [--tokens 1000000,3000000] [--nbits 2] [--queries 30] [--threads N]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createWasmScorer } from 'colbert-web/node';
import { compressCorpus } from '../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { searchCompressed } from '../packages/colbert-web/src/scoring/compressed/compressed-search.js';
import { storeTokens } from '../packages/colbert-web/src/scoring/token-matrix.js';
import { clusteredCorpus } from '../packages/colbert-web/src/testing/clustered-corpus.js';
import { scifactTokenLengths } from './scifact-lengths.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '1000000,3000000' },
    nbits: { type: 'string', default: '2' },
    queries: { type: 'string', default: '30' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const dim = 128;
const k = 10;
const nbits = Number(values.nbits);
const threads = Number(values.threads);
const scifact = scifactTokenLengths();

const rows = [];
for (const target of values.tokens.split(',').map(Number)) {
  const lengths: number[] = [];
  for (let n = 0; n < target; n += lengths[lengths.length - 1]!) lengths.push(scifact[lengths.length % scifact.length]!);
  const data = clusteredCorpus({ seed: 1, dim, lengths, words: 32_768, queries: Number(values.queries) });
  const tokens = data.vectors.length / dim;

  const scorer = await createWasmScorer({ dim, precision: 'int8', threads });
  await scorer.append({ tokens: storeTokens(data.vectors, dim, 'int8'), lengths: data.lengths, seqs: data.seqs });
  const int8Ms = [];
  const exactTop: Set<number>[] = [];
  for (const query of data.queries) {
    const started = performance.now();
    exactTop.push(new Set((await scorer.score(query, { k })).map((h) => h.seq)));
    int8Ms.push(performance.now() - started);
  }
  scorer.dispose();

  const started = performance.now();
  const corpus = compressCorpus(data, dim, { nbits });
  const buildMs = performance.now() - started;
  const prunedMs = [];
  let overlap = 0;
  for (const [i, query] of data.queries.entries()) {
    const t = performance.now();
    const { hits } = searchCompressed(corpus, query, { k });
    prunedMs.push(performance.now() - t);
    overlap += hits.filter((h) => exactTop[i]!.has(h.seq)).length / k;
  }
  const row = {
    tokens,
    documents: lengths.length,
    centroids: corpus.centroidCount,
    nbits,
    bytesPerToken: corpus.bytes / tokens,
    int8: summarise(int8Ms),
    pruned: summarise(prunedMs),
    top10OverlapWithInt8: overlap / data.queries.length,
    buildMs,
  };
  rows.push(row);
  console.error(`${tokens} tokens: int8 p50 ${fmt(row.int8.median)} ms, pruned p50 ${fmt(row.pruned.median)} ms, build ${fmt(buildMs / 1000)} s`);
}

report('compressed-synthetic', { bench: 'compressed-synthetic', dim, k, threads, environment: environment(), rows }, [
  'tokens', 'documents', 'centroids', 'bytes/token', 'int8 scan p50 / p95 ms', 'pruned p50 / p95 ms', 'speed-up p50', 'top-10 overlap with int8', 'build s',
], rows.map((r) => [r.tokens, r.documents, r.centroids, fmt(r.bytesPerToken, 2), `${fmt(r.int8.median)} / ${fmt(r.int8.p95)}`, `${fmt(r.pruned.median)} / ${fmt(r.pruned.p95)}`, fmt(r.int8.median / r.pruned.median, 2), fmt(r.top10OverlapWithInt8, 3), fmt(r.buildMs / 1000)]));
