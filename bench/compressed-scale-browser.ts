/**
 * Issue #14's latency goal measured where it is stated: the compressed, pruned search on the WebAssembly kernels
 * in a Chromium worker (cross-origin isolated: helper threads) against the exact int8 scan (the WebAssembly MaxSim
 * scorer, the peer) on the same corpus in the same worker, queries interleaved, at 1M → 3M → 10M tokens. The
 * corpus: SciFact's document lengths repeated (bench/scifact-lengths.ts), d = 128, clustered vectors made chunk by
 * chunk in the worker (clusteredCorpusStream: the float32 corpus is never held whole) and stored as int8, as adds
 * store them; 32-token queries from a document's words. Also each size's build as the engine builds from stored
 * int8 rows: training (streamed trainer on the sample's rows read back as float32, heavy steps on the WASM
 * kernels) and coding (rows read back, WASM assignment, residual coding). The page is demo/harness/compressed.html on a Vite dev server of its own;
 * one fresh worker per size (demo/harness/compressed-scale.ts).
 *
 *   npx tsx bench/compressed-scale-browser.ts [--tokens 1000000,3000000,10000000] [--nbits 2] [--queries 20]
 *     [--threads 2] [--port 5183]
 */
import { parseArgs } from 'node:util';
import { withHarnessPage } from './harness-page.js';
import { scifactTokenLengths } from './scifact-lengths.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '1000000,3000000,10000000' },
    nbits: { type: 'string', default: '2' },
    queries: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    port: { type: 'string', default: '5183' },
  },
});
const dim = 128;
const k = 10;
const scifact = scifactTokenLengths();
const port = Number(values.port);

await withHarnessPage('/harness/compressed.html', port, () => window.compressedReady === true, async (page) => {
  page.setDefaultTimeout(0);
  const userAgent = await page.evaluate(() => navigator.userAgent);
  const rows = [];
  for (const target of values.tokens.split(',').map(Number)) {
    const lengths: number[] = [];
    for (let n = 0; n < target; n += lengths[lengths.length - 1]!) lengths.push(scifact[lengths.length % scifact.length]!);
    const options = { lengths, dim, nbits: Number(values.nbits), queries: Number(values.queries), threads: Number(values.threads), chunkDocuments: 2000, k };
    const started = performance.now();
    const r = await page.evaluate((o) => window.compressed.scaleBenchInWorker(o), options);
    const row = { ...r, wallMs: performance.now() - started, exact: summarise(r.exactMs), pruned: summarise(r.prunedMs), candidatesMedian: summarise(r.candidates).median };
    rows.push(row);
    console.error(`${row.tokens} tokens: pruned p50 ${fmt(row.pruned.median)} ms, exact int8 p50 ${fmt(row.exact.median)} ms, train ${fmt(row.trainMs / 1000)} s, code ${fmt(row.codeMs / 1000)} s`);
  }
  report('compressed-scale-browser', { bench: 'compressed-scale-browser', dim, k, nbits: Number(values.nbits), userAgent, environment: environment(), rows }, [
    'tokens', 'centroids', 'bytes/token', 'threads', 'exact int8 p50 / p95 ms', 'pruned p50 / p95 ms', 'speed-up (p50)', 'candidates (median)', 'top-10 overlap with exact', 'train s', 'code s (assign s)', 'first search ms',
  ], rows.map((r) => [r.tokens, r.centroids, fmt(r.bytesPerToken, 2), `${r.threads.kernels} (isolated: ${r.crossOriginIsolated})`, `${fmt(r.exact.median)} / ${fmt(r.exact.p95)}`, `${fmt(r.pruned.median)} / ${fmt(r.pruned.p95)}`, fmt(r.exact.median / r.pruned.median, 1), r.candidatesMedian, fmt(r.top10Overlap, 3), fmt(r.trainMs / 1000), `${fmt(r.codeMs / 1000)} (${fmt(r.assignMs / 1000)})`, fmt(r.firstSearchMs, 0)]));
});
