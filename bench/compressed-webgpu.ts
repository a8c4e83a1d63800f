/**
 * The compressed, pruned index on WebGPU (searchCompressedGpu) against the exact int8 scan of the WebGPU scorer
 * (fused MaxSim + top-k) in the same run, on a synthetic clustered corpus with SciFact's document lengths (d = 128,
 * 32-token queries built from a document's words: packages/colbert-web/src/testing/clustered-corpus.ts). Also the
 * compressed index scored exactly on the GPU (every document decoded in the kernel) and the TypeScript pruned
 * search, both over the same compressed corpus. Per query: upload, every kernel, top-k and read-back.
 *
 *   npx tsx bench/compressed-webgpu.ts [--tokens 30000] [--nbits 2] [--queries 5] [--centroids N]
 *
 * Runs under Node through Dawn (npm `webgpu`), no browser, and prints the adapter. Without a GPU it runs on
 * Chromium's SwiftShader (WebGPU on the CPU, re-executing itself with LD_LIBRARY_PATH / VK_ICD_FILENAMES set):
 * those timings prove the kernels run, not their speed. On a GPU machine set COLBERT_BENCH_HARDWARE_GPU=1 if
 * Chromium's SwiftShader is installed too, so the hardware adapter is used, and pass e.g. --tokens 1000000.
 */
import { parseArgs } from 'node:util';
import { GpuContext } from '../packages/colbert-web/src/gpu/context.js';
import { GpuCompressedCorpus } from '../packages/colbert-web/src/gpu/compressed/compressed-corpus-gpu.js';
import { searchCompressedGpu } from '../packages/colbert-web/src/gpu/compressed/search-compressed-gpu.js';
import { createWebGpuScorer } from '../packages/colbert-web/src/gpu/webgpu-scorer.js';
import { compressCorpus } from '../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { searchCompressed } from '../packages/colbert-web/src/scoring/compressed/compressed-search.js';
import type { ScoredDocument } from '../packages/colbert-web/src/scoring/scorer.js';
import { storeTokens } from '../packages/colbert-web/src/scoring/token-matrix.js';
import { clusteredCorpus } from '../packages/colbert-web/src/testing/clustered-corpus.js';
import { topKOverlap } from '../packages/colbert-web/src/testing/ranking.js';
import { benchDevice } from './node-webgpu.js';
import { scifactTokenLengths } from './scifact-lengths.js';
import { environment, fmt, report, summarise, type Summary } from './stats.js';

const { device, gpu, adapter, software } = await benchDevice();
const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: software ? '30000' : '1000000' },
    nbits: { type: 'string', default: '2' },
    queries: { type: 'string', default: '5' },
    centroids: { type: 'string' },
  },
});
const dim = 128;
const k = 10;
const nbits = Number(values.nbits);
const target = Number(values.tokens);
const scifact = scifactTokenLengths();
const lengths: number[] = [];
for (let n = 0; n < target; n += lengths[lengths.length - 1]!) lengths.push(scifact[lengths.length % scifact.length]!);
// +1 query: the first is each search's cold run (pipeline compilation), reported apart.
// About 30 tokens per "word" direction, as bench/compressed-synthetic.ts has at 1M tokens (32,768 words).
const data = clusteredCorpus({ seed: 1, dim, lengths, words: Math.max(512, Math.round(target / 30)), queries: Number(values.queries) + 1 });
const tokens = data.vectors.length / dim;
console.error(`adapter ${JSON.stringify(adapter)}; ${lengths.length} documents, ${tokens} tokens; training the compressed index…`);

let started = performance.now();
const corpus = compressCorpus(data, dim, { nbits, ...(values.centroids ? { centroids: Number(values.centroids) } : {}) });
const buildMs = performance.now() - started;

type Search = (query: (typeof data.queries)[number]) => Promise<{ hits: ScoredDocument[]; scored?: number }>;

interface Peer {
  name: string;
  run: Search;
  bytesPerToken: number;
  cold: number;
  samples: number[];
  warm: Summary;
  tops: ScoredDocument[][];
  scored: number[];
}

const scorer = await createWebGpuScorer({ device, gpu, dim, precision: 'int8' });
await scorer.append({ tokens: storeTokens(data.vectors, dim, 'int8'), lengths: data.lengths, seqs: data.seqs });
const context = new GpuContext(device, { label: 'compressed bench' });
const gpuCorpus = GpuCompressedCorpus.fromCorpus(context, corpus);
const peer = (name: string, bytesPerToken: number, run: Search): Peer => ({ name, run, bytesPerToken, cold: 0, samples: [], warm: summarise([0]), tops: [], scored: [] });
const int8 = peer('GPU int8 exact scan', dim + 4, async (q) => ({ hits: await scorer.score(q, { k }) }));
const pruned = peer('GPU compressed pruned', gpuCorpus.bytes / tokens, (q) => searchCompressedGpu(gpuCorpus, q, { k }));
const exact = peer('GPU compressed exact', gpuCorpus.bytes / tokens, (q) => searchCompressedGpu(gpuCorpus, q, { k, exact: true }));
const typescript = peer('TypeScript compressed pruned', corpus.bytes / tokens, (q) => Promise.resolve(searchCompressed(corpus, q, { k })));
const peers = [int8, pruned, exact, typescript];

// The first query of each is its cold run (pipeline compilation); after that the peers take turns query by query,
// so the load of a shared machine falls on all of them alike.
for (const [i, query] of data.queries.entries()) {
  for (const p of peers) {
    const t = performance.now();
    const result = await p.run(query);
    const ms = performance.now() - t;
    if (i === 0) {
      p.cold = ms;
      continue;
    }
    p.samples.push(ms);
    p.tops.push(result.hits);
    if (result.scored !== undefined) p.scored.push(result.scored);
  }
}
for (const p of peers) {
  p.warm = summarise(p.samples);
  console.error(`${p.name}: cold ${fmt(p.cold)} ms, p50 ${fmt(p.warm.median)} ms`);
}
scorer.dispose();
gpuCorpus.dispose();
context.dispose();

const overlap = (peer: Peer, of: Peer): number => peer.tops.reduce((sum, top, i) => sum + topKOverlap(top, of.tops[i]!), 0) / peer.tops.length;
const rows = peers.map((p) => [
  p.name,
  fmt(p.bytesPerToken, 1),
  fmt(p.cold),
  fmt(p.warm.median),
  fmt(p.warm.p95),
  `${fmt(int8.warm.median / p.warm.median, 2)}×`,
  fmt(overlap(p, int8), 3),
  fmt(overlap(p, exact), 3),
  String(p.scored.length ? summarise(p.scored).median : lengths.length),
]);
report(
  'compressed-webgpu',
  {
    bench: 'compressed-webgpu',
    adapter,
    software,
    note: software ? 'SwiftShader (WebGPU on the CPU): these timings prove correctness, not speed.' : 'hardware adapter',
    dim, k, nbits, documents: lengths.length, tokens, centroids: corpus.centroidCount, buildMs,
    peers: peers.map((p) => ({
      name: p.name, bytesPerToken: p.bytesPerToken, coldMs: p.cold, ...p.warm, scored: p.scored,
      top10OverlapWithInt8: overlap(p, int8), top10OverlapWithCompressedExact: overlap(p, exact),
    })),
    environment: environment(),
  },
  ['search', 'bytes/token', 'cold ms', 'p50 ms', 'p95 ms', 'speed vs int8 scan (p50)', 'top-10 overlap with int8', 'top-10 overlap with compressed exact', 'docs scored exactly (median)'],
  rows,
);
device.destroy();
