/**
 * Latency of the compressed, pruned search on the WebAssembly kernels (createCompressedKernels) against the exact
 * int8 scan (the WebAssembly MaxSim scorer) and the TypeScript pruned search, same run, on synthetic corpora
 * (default 1M and 3M tokens), d = 128, SciFact's document lengths repeated, 32-token queries built from a
 * document's words (packages/colbert-web/src/testing/clustered-corpus.ts). Node, one process. Also the build:
 * training with k-means's assignments on the WASM kernel against the TypeScript trainer (the peer, same run, same
 * tables bit for bit: checked), assignment on the WASM kernel, with the TypeScript assignment on a subset as its peer.
 * `--dim 96 --tokens 1290000` is SciFact's size with answerai-colbert-small's dimension.
 * The three searches are interleaved query by query, so a shared machine's drifting load weighs on all alike.
 *
 *   npx tsx bench/compressed-synthetic.ts [--tokens 1000000,3000000] [--dim 128] [--nbits 2] [--queries 20]
 *     [--ts-queries 5] [--threads 2] [--assign-peer-rows 20000] [--ts-train true]
 */
import { parseArgs } from 'node:util';
import { createWasmScorer } from 'colbert-web/node';
import { createCompressedKernels } from '../packages/colbert-web/src/cpu/compressed-kernels.js';
import { assignCentroids } from '../packages/colbert-web/src/scoring/compressed/assign-centroid.js';
import { trainCompression, trainCompressionWith } from '../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { CompressedCorpus } from '../packages/colbert-web/src/scoring/compressed/compressed-corpus.js';
import { searchCompressed } from '../packages/colbert-web/src/scoring/compressed/compressed-search.js';
import { storeTokens } from '../packages/colbert-web/src/scoring/token-matrix.js';
import { clusteredCorpus } from '../packages/colbert-web/src/testing/clustered-corpus.js';
import { scifactTokenLengths } from './scifact-lengths.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '1000000,3000000' },
    dim: { type: 'string', default: '128' },
    'ts-train': { type: 'string', default: 'true' },
    nbits: { type: 'string', default: '2' },
    queries: { type: 'string', default: '20' },
    'ts-queries': { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    'assign-peer-rows': { type: 'string', default: '20000' },
  },
});
const dim = Number(values.dim);
const k = 10;
const nbits = Number(values.nbits);
const threads = Number(values.threads);
const tsQueries = Number(values['ts-queries']);
const scifact = scifactTokenLengths();
const kernels = await createCompressedKernels({ threads });
const overlap = (hits: ReadonlyArray<{ seq: number }>, top: Set<number>): number => hits.filter((h) => top.has(h.seq)).length / k;

const rows = [];
for (const target of values.tokens.split(',').map(Number)) {
  const lengths: number[] = [];
  for (let n = 0; n < target; n += lengths[lengths.length - 1]!) lengths.push(scifact[lengths.length % scifact.length]!);
  const data = clusteredCorpus({ seed: 1, dim, lengths, words: 32_768, queries: Number(values.queries) });
  const tokens = data.vectors.length / dim;

  const scorer = await createWasmScorer({ dim, precision: 'int8', threads });
  await scorer.append({ tokens: storeTokens(data.vectors, dim, 'int8'), lengths: data.lengths, seqs: data.seqs });

  // Training: on the WASM kernels (what the engine and the CLI run), then the TypeScript trainer, the peer.
  let started = performance.now();
  const { table, codec } = await trainCompressionWith(data.vectors, dim, { nbits, kernels });
  const trainMs = performance.now() - started;
  let tsTrainMs: number | undefined;
  let trainingEqual: boolean | undefined;
  if (values['ts-train'] === 'true') {
    started = performance.now();
    const ts = trainCompression(data.vectors, dim, { nbits });
    tsTrainMs = performance.now() - started;
    const same = (a: ArrayBufferView, b: ArrayBufferView): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
    trainingEqual = same(ts.table.centroids, table.centroids) && same(ts.table.coarse, table.coarse) && same(ts.table.coarseStart, table.coarseStart) && same(ts.codec.cutoffs, codec.cutoffs) && same(ts.codec.weights, codec.weights);
  }
  console.error(`train ${fmt(trainMs / 1000)} s on the WASM kernels (${threads} threads), ${tsTrainMs === undefined ? 'TypeScript not run' : `${fmt(tsTrainMs / 1000)} s on TypeScript, same tables: ${trainingEqual}`}`);
  const peerRows = Math.min(tokens, Number(values['assign-peer-rows']));
  const subset = data.vectors.subarray(0, peerRows * dim);
  started = performance.now();
  const tsCodes = assignCentroids(table, subset);
  const tsAssignSubsetMs = performance.now() - started;
  started = performance.now();
  const wasmSubset = await kernels.assignCentroids(table, subset);
  const wasmAssignSubsetMs = performance.now() - started;
  const assignmentEqual = wasmSubset.every((c, i) => c === tsCodes[i]);
  started = performance.now();
  const codes = await kernels.assignCentroids(table, data.vectors);
  const assignMs = performance.now() - started;
  started = performance.now();
  const corpus = CompressedCorpus.create(table, codec);
  corpus.append(data, codes);
  const encodeMs = performance.now() - started;
  console.error(`train ${fmt(trainMs / 1000)} s, assign ${fmt(assignMs / 1000)} s (TS on ${peerRows} rows ${fmt(tsAssignSubsetMs)} ms vs WASM ${fmt(wasmAssignSubsetMs)} ms, equal: ${assignmentEqual})`);

  started = performance.now();
  await kernels.search(corpus, data.queries[0]!, { k });
  const firstSearchMs = performance.now() - started;
  // Interleaved per query (int8, WASM pruned, then TS pruned on the first few), so that the load of this shared
  // machine, which drifts over minutes, weighs on all three alike.
  const int8Ms = [];
  const wasmMs = [];
  const tsMs = [];
  let wasmOverlap = 0;
  let tsAgreement = 0;
  for (const [i, query] of data.queries.entries()) {
    let t = performance.now();
    const exactTop = new Set((await scorer.score(query, { k })).map((h) => h.seq));
    int8Ms.push(performance.now() - t);
    t = performance.now();
    const { hits } = await kernels.search(corpus, query, { k });
    wasmMs.push(performance.now() - t);
    wasmOverlap += overlap(hits, exactTop);
    if (i >= tsQueries) continue;
    t = performance.now();
    const ts = searchCompressed(corpus, query, { k }).hits;
    tsMs.push(performance.now() - t);
    tsAgreement += overlap(ts, new Set(hits.map((h) => h.seq)));
  }
  scorer.dispose();
  const row = {
    tokens,
    documents: lengths.length,
    centroids: corpus.centroidCount,
    nbits,
    bytesPerToken: corpus.bytes / tokens,
    int8: summarise(int8Ms),
    wasmPruned: summarise(wasmMs),
    wasmFirstSearchMs: firstSearchMs,
    tsPruned: summarise(tsMs),
    top10OverlapWithInt8: wasmOverlap / data.queries.length,
    top10AgreementTsVsWasm: tsAgreement / Math.min(tsQueries, data.queries.length),
    trainMs,
    tsTrainMs,
    trainingEqual,
    assignMs,
    encodeMs,
    assignPeer: { rows: peerRows, tsMs: tsAssignSubsetMs, wasmMs: wasmAssignSubsetMs, equal: assignmentEqual },
  };
  rows.push(row);
  console.error(`${tokens} tokens: WASM pruned p50 ${fmt(row.wasmPruned.median)} ms, TS pruned p50 ${fmt(row.tsPruned.median)} ms, int8 p50 ${fmt(row.int8.median)} ms`);
}
kernels.dispose();

report('compressed-synthetic', { bench: 'compressed-synthetic', dim, k, threads, environment: environment(), rows }, [
  'tokens', 'centroids', 'bytes/token', 'int8 scan p50 / p95 ms', 'WASM pruned p50 / p95 ms', 'TS pruned p50 / p95 ms', 'speed-up vs int8 (p50)', 'top-10 overlap with int8', 'train s (WASM)', 'train s (TS)', 'train speed-up', 'same tables', 'assign s (WASM)', 'assign speed-up vs TS',
], rows.map((r) => [r.tokens, r.centroids, fmt(r.bytesPerToken, 2), `${fmt(r.int8.median)} / ${fmt(r.int8.p95)}`, `${fmt(r.wasmPruned.median)} / ${fmt(r.wasmPruned.p95)}`, `${fmt(r.tsPruned.median)} / ${fmt(r.tsPruned.p95)}`, fmt(r.int8.median / r.wasmPruned.median, 1), fmt(r.top10OverlapWithInt8, 3), fmt(r.trainMs / 1000), r.tsTrainMs === undefined ? '–' : fmt(r.tsTrainMs / 1000), r.tsTrainMs === undefined ? '–' : fmt(r.tsTrainMs / r.trainMs, 1), String(r.trainingEqual ?? '–'), fmt(r.assignMs / 1000), fmt(r.assignPeer.tsMs / r.assignPeer.wasmMs, 1)]));
