/**
 * The compressed, pruned token index (packages/colbert-web/src/scoring/compressed/) on SciFact with the lexical
 * model (d = 128, ≈1.22M tokens), in Node: nDCG@10 of the pruned search at nbits 2 and 4 against the exact int8
 * scan (the WebAssembly scorer, the peer, same run), top-10 overlap of pruned vs `exact` on the same compressed
 * index, bytes per token, ms/query p50/p95 of both, and training + compression time.
 * Embeddings are cached under bench/.cache (the lexical model and an f32 index file built by `colbert-web index`).
 *
 *   npx tsx bench/compressed-scifact.ts [--nbits 2,4] [--overlap-queries 60] [--threads N]
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createWasmScorer, loadEncoderFrom } from 'colbert-web/node';
import { storeTokens } from '../packages/colbert-web/src/scoring/token-matrix.js';
import { indexCommand } from '../packages/cli/src/index-command.js';
import { documentsBySeq, readIndexFile } from '../packages/cli/src/index-file.js';
import { queriesToEvaluate, readQrels, readQueries } from '../packages/cli/src/eval/beir-files.js';
import { evaluateRun } from '../packages/cli/src/eval/metrics.js';
import type { Run } from '../packages/cli/src/eval/ranker.js';
import { assignCentroids } from '../packages/colbert-web/src/scoring/compressed/assign-centroid.js';
import { trainCodec } from '../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { CompressedCorpus } from '../packages/colbert-web/src/scoring/compressed/compressed-corpus.js';
import { searchCompressed } from '../packages/colbert-web/src/scoring/compressed/compressed-search.js';
import { centroidCount, trainCentroids, trainingSample } from '../packages/colbert-web/src/scoring/compressed/train-centroids.js';
import type { F32TokenMatrix } from '../packages/colbert-web/src/scoring/token-matrix.js';
import { ensureLexicalModel } from '../demo/build/lexical-model.js';
import { SHARED } from './corpus.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({
  options: {
    nbits: { type: 'string', default: '2,4' },
    'overlap-queries': { type: 'string', default: '60' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const cache = join(import.meta.dirname, '.cache');
const model = join(cache, 'lexical');
const file = join(cache, 'scifact-lexical-f32.cwi');
const scifact = join(SHARED, 'data/scifact');
if (!existsSync(join(model, 'config.json'))) await ensureLexicalModel(model);
if (!existsSync(file)) await indexCommand([join(scifact, 'corpus.jsonl.gz'), '--model', model, '--output', file, '--precision', 'f32']);

const { identity, segments } = readIndexFile(file);
const { dim } = identity.identity;
const bySeq = documentsBySeq(segments);
const tokens = segments.reduce((n, s) => n + s.tokens.rows, 0);
const vectors = new Float32Array(tokens * dim);
const lengths = new Uint32Array(bySeq.size);
const seqs = new Uint32Array(bySeq.size);
for (let s = 0, row = 0, doc = 0; s < segments.length; s++) {
  const segment = segments[s]!;
  if (segment.tokens.precision !== 'f32') throw new Error(`${file} must be an f32 index.`);
  vectors.set(segment.tokens.values, row * dim);
  row += segment.tokens.rows;
  lengths.set(segment.lengths, doc);
  seqs.set(segment.seqs, doc);
  doc += segment.lengths.length;
}
const qrels = await readQrels(join(scifact, 'qrels'), 'test');
const queries = queriesToEvaluate(qrels, await readQueries(join(scifact, 'queries.jsonl.gz')));
const encoder = await loadEncoderFrom(model);
const encoded = await encoder.encode(queries.map((q) => ({ text: q.text, kind: 'query' as const })));
await encoder.close();
const queryMatrices: F32TokenMatrix[] = encoded.map((e) => ({ precision: 'f32', dim, rows: e.rows, values: e.vectors }));
const docId = (seq: number): string => bySeq.get(seq)!.id;
const ndcg = (hitsPerQuery: ReadonlyArray<ReadonlyArray<{ seq: number; score: number }>>): number => {
  const run: Run = new Map(queries.map((q, i) => [q.id, hitsPerQuery[i]!.map((h) => ({ docId: docId(h.seq), score: h.score }))]));
  return evaluateRun(qrels, run).mean['ndcg@10'];
};
const k = 10;

// The peer: the exact int8 scan on the WebAssembly scorer.
const threads = Number(values.threads);
const scorer = await createWasmScorer({ dim, precision: 'int8', threads });
await scorer.append({ tokens: storeTokens(vectors, dim, 'int8'), lengths, seqs });
const int8Hits = [];
const int8Ms = [];
for (const query of queryMatrices) {
  const started = performance.now();
  int8Hits.push(await scorer.score(query, { k }));
  int8Ms.push(performance.now() - started);
}
scorer.dispose();
const int8 = { backend: scorer.backend, threads, ndcg10: ndcg(int8Hits), bytesPerToken: dim + 4, latency: summarise(int8Ms) };
console.error(`int8 exact: nDCG@10 ${int8.ndcg10.toFixed(4)}, p50 ${int8.latency.median.toFixed(1)} ms`);

let started = performance.now();
const wanted = centroidCount(tokens);
const table = trainCentroids(vectors, dim, trainingSample(tokens, wanted, 0), { centroids: wanted });
const trainMs = performance.now() - started;
started = performance.now();
const codes = assignCentroids(table, vectors);
const assignMs = performance.now() - started;
console.error(`trained ${table.centroids.length / dim} centroids in ${fmt(trainMs / 1000)} s, assigned ${tokens} tokens in ${fmt(assignMs / 1000)} s`);

const overlapQueries = Math.min(queries.length, Number(values['overlap-queries']));
const compressed = [];
for (const nbits of values.nbits.split(',').map(Number)) {
  started = performance.now();
  const codec = trainCodec(table, vectors, nbits);
  const corpus = CompressedCorpus.create(table, codec);
  corpus.append({ vectors, lengths, seqs }, codes);
  const encodeMs = performance.now() - started;
  const prunedHits = [];
  const prunedMs = [];
  const scored = [];
  for (const query of queryMatrices) {
    const t = performance.now();
    const result = searchCompressed(corpus, query, { k });
    prunedMs.push(performance.now() - t);
    prunedHits.push(result.hits);
    scored.push(result.scored);
  }
  const exactMs = [];
  let overlap = 0;
  for (const [i, query] of queryMatrices.slice(0, overlapQueries).entries()) {
    const t = performance.now();
    const exact = new Set(searchCompressed(corpus, query, { k, exact: true }).hits.map((h) => h.seq));
    exactMs.push(performance.now() - t);
    overlap += prunedHits[i]!.filter((h) => exact.has(h.seq)).length / k;
  }
  const row = {
    nbits,
    centroids: corpus.centroidCount,
    ndcg10: ndcg(prunedHits),
    ndcg10VsInt8: ndcg(prunedHits) - int8.ndcg10,
    top10OverlapPrunedVsExact: overlap / overlapQueries,
    overlapQueries,
    bytesPerToken: corpus.bytes / tokens,
    codeAndResidualBytesPerToken: 4 + corpus.residualBytes,
    pruned: summarise(prunedMs),
    exactCompressed: summarise(exactMs),
    scoredPerQuery: summarise(scored).median,
    trainMs: trainMs,
    assignMs,
    codecAndEncodeMs: encodeMs,
  };
  compressed.push(row);
  console.error(`nbits ${nbits}: nDCG@10 ${row.ndcg10.toFixed(4)}, overlap ${row.top10OverlapPrunedVsExact.toFixed(3)}, pruned p50 ${row.pruned.median.toFixed(1)} ms`);
}

report('compressed-scifact', { bench: 'compressed-scifact', model: 'lexical', dim, documents: seqs.length, tokens, queries: queries.length, k, environment: environment(), int8, compressed }, [
  'index', 'bytes/token', 'nDCG@10', 'Δ vs int8', 'top-10 overlap pruned/exact', 'p50 ms', 'p95 ms', 'exact p50 ms', 'docs scored', 'build s',
], [
  ['int8 exact scan (WASM, ' + `${threads} threads)`, fmt(int8.bytesPerToken), fmt(int8.ndcg10, 4), '–', '–', fmt(int8.latency.median), fmt(int8.latency.p95), '–', String(seqs.length), '–'],
  ...compressed.map((r) => [`nbits ${r.nbits}, ${r.centroids} centroids, pruned (TS)`, fmt(r.bytesPerToken, 2), fmt(r.ndcg10, 4), fmt(r.ndcg10VsInt8, 4), fmt(r.top10OverlapPrunedVsExact, 3), fmt(r.pruned.median), fmt(r.pruned.p95), fmt(r.exactCompressed.median), String(r.scoredPerQuery), `${fmt(r.trainMs / 1000)} + ${fmt(r.assignMs / 1000)} + ${fmt(r.codecAndEncodeMs / 1000)}`]),
]);
