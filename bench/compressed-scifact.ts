/**
 * The compressed, pruned token index (packages/colbert-web/src/scoring/compressed/) on SciFact with the lexical
 * model (d = 128, ≈1.22M tokens), in Node: nDCG@10 of the pruned search on the WebAssembly kernels
 * (createCompressedKernels) and on TypeScript at nbits 2 and 4 against the exact int8 scan (the WebAssembly
 * scorer, the peer, same run), top-10 overlap of pruned vs `exact` (WASM) on the same compressed index, bytes per
 * token, ms/query p50/p95 of all three, training time and assignment time (WASM kernel, with the TypeScript
 * assignment of a subset as its peer).
 * Embeddings are cached under bench/.cache (the lexical model and an f32 index file built by `colbert-web index`).
 *
 *   npx tsx bench/compressed-scifact.ts [--nbits 2,4] [--overlap-queries 60] [--ts-queries 300] [--threads 2]
 *     [--assign-peer-rows 20000]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createWasmScorer, loadEncoderFrom } from 'colbert-web/node';
import { createCompressedKernels } from '../packages/colbert-web/src/cpu/compressed-kernels.js';
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
    'ts-queries': { type: 'string', default: '300' },
    threads: { type: 'string', default: '2' },
    'assign-peer-rows': { type: 'string', default: '20000' },
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

const kernels = await createCompressedKernels({ threads });
let started = performance.now();
const wanted = centroidCount(tokens);
const table = trainCentroids(vectors, dim, trainingSample(tokens, wanted, 0), { centroids: wanted });
const trainMs = performance.now() - started;
const peerRows = Math.min(tokens, Number(values['assign-peer-rows']));
started = performance.now();
const tsCodes = assignCentroids(table, vectors.subarray(0, peerRows * dim));
const tsAssignSubsetMs = performance.now() - started;
started = performance.now();
const codes = await kernels.assignCentroids(table, vectors);
const assignMs = performance.now() - started;
const assignmentEqual = tsCodes.every((c, i) => c === codes[i]);
console.error(`trained ${table.centroids.length / dim} centroids in ${fmt(trainMs / 1000)} s, assigned ${tokens} tokens in ${fmt(assignMs / 1000)} s (WASM); TS on ${peerRows} rows ${fmt(tsAssignSubsetMs)} ms, equal: ${assignmentEqual}`);

const overlapQueries = Math.min(queries.length, Number(values['overlap-queries']));
const tsQueries = Math.min(queries.length, Number(values['ts-queries']));
const overlap = (hits: ReadonlyArray<{ seq: number }>, top: ReadonlyArray<{ seq: number }>): number => {
  const seqs = new Set(top.map((h) => h.seq));
  return hits.filter((h) => seqs.has(h.seq)).length / k;
};
const compressed = [];
for (const nbits of values.nbits.split(',').map(Number)) {
  started = performance.now();
  const codec = trainCodec(table, vectors, nbits);
  const corpus = CompressedCorpus.create(table, codec);
  corpus.append({ vectors, lengths, seqs }, codes);
  const encodeMs = performance.now() - started;
  started = performance.now();
  await kernels.search(corpus, queryMatrices[0]!, { k });
  const firstSearchMs = performance.now() - started;
  const wasmHits = [];
  const wasmMs = [];
  const scored = [];
  for (const query of queryMatrices) {
    const t = performance.now();
    const result = await kernels.search(corpus, query, { k });
    wasmMs.push(performance.now() - t);
    wasmHits.push(result.hits);
    scored.push(result.scored);
  }
  const tsHits = [];
  const tsMs = [];
  let agreement = 0;
  for (const [i, query] of queryMatrices.slice(0, tsQueries).entries()) {
    const t = performance.now();
    const { hits } = searchCompressed(corpus, query, { k });
    tsMs.push(performance.now() - t);
    tsHits.push(hits);
    agreement += overlap(hits, wasmHits[i]!);
  }
  const exactMs = [];
  let exactOverlap = 0;
  for (const [i, query] of queryMatrices.slice(0, overlapQueries).entries()) {
    const t = performance.now();
    const { hits } = await kernels.search(corpus, query, { k, exact: true });
    exactMs.push(performance.now() - t);
    exactOverlap += overlap(wasmHits[i]!, hits);
  }
  const wasmNdcg = ndcg(wasmHits);
  const row = {
    nbits,
    centroids: corpus.centroidCount,
    ndcg10: wasmNdcg,
    ndcg10VsInt8: wasmNdcg - int8.ndcg10,
    ndcg10Ts: tsQueries === queries.length ? ndcg(tsHits) : undefined,
    top10AgreementTsVsWasm: agreement / tsQueries,
    tsQueries,
    top10OverlapPrunedVsExact: exactOverlap / overlapQueries,
    overlapQueries,
    bytesPerToken: corpus.bytes / tokens,
    codeAndResidualBytesPerToken: 4 + corpus.residualBytes,
    wasmPruned: summarise(wasmMs),
    wasmFirstSearchMs: firstSearchMs,
    tsPruned: summarise(tsMs),
    wasmExact: summarise(exactMs),
    scoredPerQuery: summarise(scored).median,
    trainMs,
    assignMs,
    assignPeer: { rows: peerRows, tsMs: tsAssignSubsetMs, equal: assignmentEqual },
    codecAndEncodeMs: encodeMs,
  };
  compressed.push(row);
  console.error(`nbits ${nbits}: nDCG@10 WASM ${row.ndcg10.toFixed(4)} TS ${row.ndcg10Ts?.toFixed(4)}, overlap ${row.top10OverlapPrunedVsExact.toFixed(3)}, WASM p50 ${fmt(row.wasmPruned.median)} ms, TS p50 ${fmt(row.tsPruned.median)} ms`);
}
kernels.dispose();

report('compressed-scifact', { bench: 'compressed-scifact', model: 'lexical', dim, documents: seqs.length, tokens, queries: queries.length, k, threads, environment: environment(), int8, compressed }, [
  'index', 'bytes/token', 'nDCG@10 (WASM / TS)', 'Δ vs int8', 'top-10 overlap pruned/exact', 'WASM p50 / p95 ms', 'TS p50 / p95 ms', 'speed-up vs int8 (p50)', 'exact (WASM) p50 ms', 'docs scored', 'train + assign + encode s',
], [
  ['int8 exact scan (WASM, ' + `${threads} threads)`, fmt(int8.bytesPerToken), fmt(int8.ndcg10, 4), '–', '–', `${fmt(int8.latency.median)} / ${fmt(int8.latency.p95)}`, '–', '1', '–', String(seqs.length), '–'],
  ...compressed.map((r) => [
    `nbits ${r.nbits}, ${r.centroids} centroids, pruned`,
    fmt(r.bytesPerToken, 2),
    `${fmt(r.ndcg10, 4)} / ${r.ndcg10Ts === undefined ? '–' : fmt(r.ndcg10Ts, 4)}`,
    fmt(r.ndcg10VsInt8, 4),
    fmt(r.top10OverlapPrunedVsExact, 3),
    `${fmt(r.wasmPruned.median)} / ${fmt(r.wasmPruned.p95)}`,
    `${fmt(r.tsPruned.median)} / ${fmt(r.tsPruned.p95)}`,
    fmt(int8.latency.median / r.wasmPruned.median, 1),
    fmt(r.wasmExact.median),
    String(r.scoredPerQuery),
    `${fmt(r.trainMs / 1000)} + ${fmt(r.assignMs / 1000)} + ${fmt(r.codecAndEncodeMs / 1000)}`,
  ]),
]);
