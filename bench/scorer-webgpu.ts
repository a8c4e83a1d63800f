/**
 * WebGPU MaxSim: the fused kernel against the naive one (full similarity matrix, separate reductions), per query
 * including top-k and read-back, on a SciFact-shaped corpus (each abstract's word count × 1.3, capped at 300
 * tokens, as a stand-in for its token count).
 *
 *   npx tsx bench/scorer-webgpu.ts [--backend node-webgpu] [--scale 0.25] [--queries 5]
 *
 * --scale keeps that fraction of the 5,183 documents (default 0.05 on a software adapter — SwiftShader on two shared cores scores ~64k tokens in 1–4 s — and 1 otherwise). FLOPs are
 * 2 · query tokens · corpus tokens · dim; bytes are the stored corpus (rows and int8 scales), the least a query
 * must read. On SwiftShader (WebGPU on the CPU) the ratio to the naive kernel is the figure to read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createWebGpuScorer } from '../packages/colbert-web/src/gpu/webgpu-scorer.js';
import type { StoredPrecision } from '../packages/colbert-web/src/scoring/token-matrix.js';
import { randomBatch, randomQuery, seededRandom } from '../packages/colbert-web/src/testing/random-corpus.js';
import { SHARED } from './corpus.js';
import { benchDevice } from './node-webgpu.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values: args } = parseArgs({
  options: { backend: { type: 'string', default: 'node-webgpu' }, scale: { type: 'string' }, queries: { type: 'string', default: '3' } },
});
if (args.backend !== 'node-webgpu') throw new Error(`--backend ${args.backend}: only node-webgpu runs here (the browser path is exercised by e2e/scorer-webgpu.spec.ts).`);

const { device, adapter, software } = await benchDevice();
const scale = Number(args.scale ?? (software ? 0.05 : 1));
const queries = Number(args.queries);
const QUERY_TOKENS = 32;

function scifactLengths(): number[] {
  const lines = gunzipSync(readFileSync(join(SHARED, 'data/scifact/corpus.jsonl.gz'))).toString('utf8').split('\n');
  return lines.filter((l) => l.trim()).map((line) => {
    const { title, text } = JSON.parse(line) as { title: string; text: string };
    const words = `${title} ${text}`.split(/\s+/).filter(Boolean).length;
    return Math.max(1, Math.min(300, Math.round(words * 1.3)));
  });
}

const all = scifactLengths();
const lengths = all.slice(0, Math.max(1, Math.round(all.length * scale)));
const tokens = lengths.reduce((a, b) => a + b, 0);
const rows: Array<Array<string | number>> = [];
const results: Record<string, unknown>[] = [];

for (const dim of [96, 128]) {
  for (const precision of ['f32', 'int8'] as StoredPrecision[]) {
    const random = seededRandom(dim);
    const batch = randomBatch(random, lengths, dim, precision);
    const qs = Array.from({ length: queries }, () => randomQuery(random, QUERY_TOKENS, dim));
    const bytes = tokens * (precision === 'f32' ? dim * 4 : dim + 4);
    const flops = 2 * QUERY_TOKENS * tokens * dim;
    const medians: Record<string, number> = {};
    for (const kernel of ['fused', 'naive'] as const) {
      const scorer = await createWebGpuScorer({ device, dim, precision, kernel });
      await scorer.append(batch);
      let started = performance.now();
      await scorer.score(qs[0]!, { k: 10 });
      const coldMs = performance.now() - started;
      const samples: number[] = [];
      for (const q of qs) {
        started = performance.now();
        await scorer.score(q, { k: 10 });
        samples.push(performance.now() - started);
      }
      scorer.dispose();
      const summary = summarise(samples);
      medians[kernel] = summary.median;
      results.push({ dim, precision, kernel, coldMs, ...summary, gflops: flops / summary.median / 1e6, gbps: bytes / summary.median / 1e6 });
      rows.push([dim, precision, kernel, fmt(coldMs), fmt(summary.median), fmt(summary.p95), fmt(flops / summary.median / 1e6, 2), fmt(bytes / summary.median / 1e6, 2), '']);
    }
    rows.at(-2)![8] = `${fmt(medians['naive']! / medians['fused']!, 2)}×`;
  }
}

report(
  'scorer-webgpu',
  { backend: args.backend, adapter, documents: lengths.length, tokens, scale, queryTokens: QUERY_TOKENS, k: 10, results, environment: environment() },
  ['d', 'stored', 'kernel', 'cold ms', 'p50 ms', 'p95 ms', 'GFLOP/s', 'GB/s', 'fused speed-up'],
  rows,
);
device.destroy();
