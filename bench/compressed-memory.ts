/**
 * Memory of a compressed index (issue #14's goals: search-time structures ≤ 1.15 × their bytes on disk; a build
 * of 10M tokens within 1 GB). Node, one process.
 *
 * 1. Footprint, per (d, nbits): a synthetic corpus (packages/colbert-web/src/testing/clustered-corpus.ts, SciFact's
 *    document lengths from bench/scifact-lengths.ts) is trained, coded into ~31k-token segments as the store codes
 *    them, and opened as the search worker does (segment by segment). Bytes on disk: the segments' vector sections
 *    and the tables record (coded-segment.ts: what IndexedDB and a .cwi hold). In memory after one kernel search:
 *    - after (this layout): the kernels' whole WebAssembly memory + what the corpus holds in JavaScript;
 *    - before (main's layout, peer in the same run): the same corpus never laid out (its columns and centroids in
 *      JavaScript arrays, as main kept them) + the kernels' memory as measured above. Main's mirror also held a
 *      copy of the centroids and more room (1/8, its memory grown by ≥ 1/2), so main held at least this.
 * 2. Build (`--build-tokens`): a streamed build as the store's compression runs it, segments generated on the fly:
 *    training on the sampled rows only (trainCompressionStreamed), then each segment assigned on the WASM kernel
 *    and coded, the coded output kept in memory (as a search worker would hold it). Peak heap + array buffers and
 *    RSS, sampled after every Lloyd iteration and every segment (gc before each sample with --expose-gc).
 *
 *   node --expose-gc --import tsx bench/compressed-memory.ts [--docs 2000] [--configs 96:2,128:2,96:4,128:4]
 *     [--build-tokens 2000000] [--build-dim 128] [--build-nbits 2]
 */
import { parseArgs } from 'node:util';
import { createCompressedKernels } from '../packages/colbert-web/src/cpu/compressed-kernels.js';
import { trainCompression, trainCompressionStreamed } from '../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { codeRows, gatherRows } from '../packages/colbert-web/src/store/code-rows.js';
import { clusteredCorpus } from '../packages/colbert-web/src/testing/clustered-corpus.js';
import { openStored, searchBytes, storeCoded } from '../packages/colbert-web/src/testing/compressed-footprint.js';
import { scifactTokenLengths } from './scifact-lengths.js';
import { environment, fmt, report } from './stats.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '2000' },
    configs: { type: 'string', default: '96:2,128:2,96:4,128:4' },
    'build-tokens': { type: 'string', default: '0' },
    'build-dim': { type: 'string', default: '128' },
    'build-nbits': { type: 'string', default: '2' },
  },
});
const SEGMENT_TOKENS = 31_000; // a 4 MiB int8 segment at d = 128 (132 B a row) holds about this many rows
const MB = 2 ** 20;
const gc = (globalThis as { gc?: () => void }).gc;
const lengths = scifactTokenLengths(Number(values.docs));

const footprints = [];
for (const config of values.configs.split(',').filter(Boolean)) {
  const [dim, nbits] = config.split(':').map(Number) as [number, number];
  const data = clusteredCorpus({ seed: dim + nbits, dim, lengths, words: 16_384, queries: 1 });
  const tokens = data.vectors.length / dim;
  const tables = trainCompression(data.vectors, dim, { nbits });
  // Assignment on kernels of its own: a WebAssembly memory never shrinks, and the search worker assigns nothing.
  const builder = await createCompressedKernels({ threads: 1 });
  const stored = storeCoded(tables, data.vectors, data.lengths, SEGMENT_TOKENS, await builder.assignCentroids(tables.table, data.vectors));
  builder.dispose();
  const kernels = await createCompressedKernels({ threads: 1 });
  const after = openStored(tables, stored);
  const before = openStored(tables, stored);
  await kernels.search(after, data.queries[0]!, { k: 10 });
  const a = searchBytes(after, kernels.memoryBytes);
  const b = { wasm: kernels.memoryBytes, heap: before.heapBytes, total: kernels.memoryBytes + before.heapBytes };
  kernels.dispose();
  const row = { dim, nbits, documents: lengths.length, tokens, centroids: after.centroidCount, disk: stored.diskBytes, after: a, before: b, ratioAfter: a.total / stored.diskBytes, ratioBefore: b.total / stored.diskBytes };
  footprints.push(row);
  console.error(`d ${dim} nbits ${nbits}: ${tokens} tokens, disk ${fmt(stored.diskBytes / MB, 2)} MiB, after ${fmt(a.total / MB, 2)} MiB (${fmt(row.ratioAfter, 3)}×), before ${fmt(b.total / MB, 2)} MiB (${fmt(row.ratioBefore, 3)}×)`);
}

let build: Record<string, number> | undefined;
const buildTokens = Number(values['build-tokens']);
if (buildTokens > 0) {
  const dim = Number(values['build-dim']);
  const nbits = Number(values['build-nbits']);
  const all = scifactTokenLengths();
  const segments: number[][] = [];
  let total = 0;
  for (let i = 0; total < buildTokens; ) {
    const segment: number[] = [];
    let rows = 0;
    while (rows < SEGMENT_TOKENS && total < buildTokens) {
      const length = all[i++ % all.length]!;
      segment.push(length);
      rows += length;
      total += length;
    }
    segments.push(segment);
  }
  const generate = (s: number): Float32Array => clusteredCorpus({ seed: 1000 + s, dim, lengths: segments[s]!, words: 16_384 }).vectors;
  let peakHeap = 0;
  let peakRss = 0;
  const sample = (): void => {
    gc?.();
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
    peakRss = Math.max(peakRss, m.rss);
  };
  sample();
  const baseline = peakHeap;
  let started = performance.now();
  const sizes = segments.map((s) => ({ tokens: s.reduce((n, l) => n + l, 0) }));
  const tables = await trainCompressionStreamed((lists) => gatherRows(sizes, async (s) => generate(s), lists, dim), total, dim, { nbits, pause: async () => sample() });
  const trainMs = performance.now() - started;
  const peakTraining = peakHeap;
  const kernels = await createCompressedKernels({ threads: 2 });
  started = performance.now();
  const coded: { codes: Uint32Array; residuals: Uint8Array }[] = [];
  let seq = 0;
  for (const [s, part] of segments.entries()) {
    const vectors = generate(s);
    const partLengths = Uint32Array.from(part);
    const seqs = Uint32Array.from(part, () => seq++);
    coded.push(codeRows(tables, vectors, partLengths, seqs, await kernels.assignCentroids(tables.table, vectors)));
    sample();
  }
  const codeMs = performance.now() - started;
  const codedBytes = coded.reduce((n, c) => n + c.codes.byteLength + c.residuals.byteLength, 0);
  build = { tokens: total, dim, nbits, segments: segments.length, centroids: tables.table.centroids.length / dim, trainMs, codeMs, baselineBytes: baseline, peakTrainingBytes: peakTraining, peakBytes: peakHeap, peakRssBytes: peakRss, kernelMemoryBytes: kernels.memoryBytes, codedOutputBytes: codedBytes, float32CorpusBytes: 4 * total * dim };
  kernels.dispose();
  console.error(`build ${total} tokens: train ${fmt(trainMs / 1000)} s, code ${fmt(codeMs / 1000)} s, peak heap+buffers ${fmt(peakHeap / MB)} MiB (training ${fmt(peakTraining / MB)}), RSS ${fmt(peakRss / MB)} MiB, coded output ${fmt(codedBytes / MB)} MiB`);
}

report('compressed-memory', { bench: 'compressed-memory', environment: environment(), gcExposed: gc !== undefined, footprints, build }, [
  'd', 'nbits', 'tokens', 'centroids', 'on disk MiB', 'after: WASM + JS MiB', 'after ÷ disk', 'before: WASM + JS MiB', 'before ÷ disk',
], footprints.map((r) => [r.dim, r.nbits, r.tokens, r.centroids, fmt(r.disk / MB, 2), `${fmt(r.after.wasm / MB, 2)} + ${fmt(r.after.heap / MB, 2)}`, fmt(r.ratioAfter, 3), `${fmt(r.before.wasm / MB, 2)} + ${fmt(r.before.heap / MB, 2)}`, fmt(r.ratioBefore, 3)]));
