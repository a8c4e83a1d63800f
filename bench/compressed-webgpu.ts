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
// +1 query: the first of each kind is the cold run (pipeline compilation), reported apart.
// About 30 tokens per "word" direction, as bench/compressed-synthetic.ts has at 1M tokens (32,768 words).
const data = clusteredCorpus({ seed: 1, dim, lengths, words: Math.max(512, Math.round(target / 30)), queries: Number(values.queries) + 1 });
const tokens = data.vectors.length / dim;
console.error(`adapter ${JSON.stringify(adapter)}; ${lengths.length} documents, ${tokens} tokens; training the compressed index…`);

let started = performance.now();
const corpus = compressCorpus(data, dim, { nbits, ...(values.centroids ? { centroids: Number(values.centroids) } : {}) });
const buildMs = performance.now() - started;

interface Peer {
  name: string;
  cold: number;
  warm: Summary;
  tops: ScoredDocument[][];
  extra: Record<string, unknown>;
}

async function measure(name: string, run: (query: (typeof data.queries)[number]) => Promise<{ hits: ScoredDocument[]; scored?: number }>, extra: Record<string, unknown> = {}): Promise<Peer> {
  const [first, ...rest] = data.queries;
  let t = performance.now();
  await run(first!);
  const cold = performance.now() - t;
  const samples: number[] = [];
  const tops: ScoredDocument[][] = [];
  const scored: number[] = [];
  for (const query of rest) {
    t = performance.now();
    const result = await run(query);
    samples.push(performance.now() - t);
    tops.push(result.hits);
    if (result.scored !== undefined) scored.push(result.scored);
  }
  console.error(`${name}: cold ${fmt(cold)} ms, p50 ${fmt(summarise(samples).median)} ms`);
  return { name, cold, warm: summarise(samples), tops, extra: scored.length ? { ...extra, scoredMedian: summarise(scored).median } : extra };
}

const scorer = await createWebGpuScorer({ device, gpu, dim, precision: 'int8' });
await scorer.append({ tokens: storeTokens(data.vectors, dim, 'int8'), lengths: data.lengths, seqs: data.seqs });
const int8 = await measure('GPU int8 exact scan', async (q) => ({ hits: await scorer.score(q, { k }) }), { bytesPerToken: dim + 4 });
scorer.dispose();

const context = new GpuContext(device, { label: 'compressed bench' });
const gpuCorpus = GpuCompressedCorpus.fromCorpus(context, corpus);
const gpuBytes = gpuCorpus.bytes;
const pruned = await measure('GPU compressed pruned', (q) => searchCompressedGpu(gpuCorpus, q, { k }), { bytesPerToken: gpuBytes / tokens });
const exact = await measure('GPU compressed exact', (q) => searchCompressedGpu(gpuCorpus, q, { k, exact: true }), { bytesPerToken: gpuBytes / tokens });
gpuCorpus.dispose();
context.dispose();
const typescript = await measure('TypeScript compressed pruned', (q) => Promise.resolve(searchCompressed(corpus, q, { k })), { bytesPerToken: corpus.bytes / tokens });

const overlap = (peer: Peer, of: Peer): number => peer.tops.reduce((sum, top, i) => sum + topKOverlap(top, of.tops[i]!), 0) / peer.tops.length;
const peers = [int8, pruned, exact, typescript];
const rows = peers.map((p) => [
  p.name,
  fmt(p.extra['bytesPerToken'] as number, 1),
  fmt(p.cold),
  fmt(p.warm.median),
  fmt(p.warm.p95),
  `${fmt(int8.warm.median / p.warm.median, 2)}×`,
  fmt(overlap(p, int8), 3),
  fmt(overlap(p, exact), 3),
  String(p.extra['scoredMedian'] ?? (p === int8 ? lengths.length : '–')),
]);
report(
  'compressed-webgpu',
  {
    bench: 'compressed-webgpu',
    adapter,
    software,
    note: software ? 'SwiftShader (WebGPU on the CPU): these timings prove correctness, not speed.' : 'hardware adapter',
    dim, k, nbits, documents: lengths.length, tokens, centroids: corpus.centroidCount, buildMs,
    peers: peers.map((p) => ({ name: p.name, coldMs: p.cold, ...p.warm, ...p.extra, top10OverlapWithInt8: overlap(p, int8), top10OverlapWithCompressedExact: overlap(p, exact) })),
    environment: environment(),
  },
  ['search', 'bytes/token', 'cold ms', 'p50 ms', 'p95 ms', 'speed vs int8 scan (p50)', 'top-10 overlap with int8', 'top-10 overlap with compressed exact', 'docs scored exactly (median)'],
  rows,
);
device.destroy();
