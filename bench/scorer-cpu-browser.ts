/**
 * bench/scorer-cpu.ts in Chromium: the same corpus and measurements (bench/scorer-cpu-work.ts) run in the page
 * demo/harness/cpu-scorer.html, served by a Vite dev server of its own (cross-origin isolated, so the scorer and
 * onnxruntime-web both get threads, and relaxed SIMD is on).
 *
 *   npx tsx bench/scorer-cpu-browser.ts [--dims 96,128] [--runs 9] [--js-runs 1] [--peer-runs 5] [--peer-dims 96]
 */
import { parseArgs } from 'node:util';
import { withHarnessPage } from './harness-page.js';
import { scifactTokenLengths } from './scifact-lengths.js';
import { describeRows } from './scorer-cpu-rows.js';
import { environment, fmt, report } from './stats.js';

const { values } = parseArgs({
  options: {
    dims: { type: 'string', default: '96,128' },
    runs: { type: 'string', default: '9' },
    'js-runs': { type: 'string', default: '1' },
    'peer-runs': { type: 'string', default: '5' },
    // The padded peer corpus at d = 128 is ~0.8 GB of tensors on top of everything else in one tab.
    'peer-dims': { type: 'string', default: '96' },
  },
});
const lengths = scifactTokenLengths();
const queryTokens = 32;
const peerDims = new Set(values['peer-dims'].split(',').map(Number));

await withHarnessPage('/harness/cpu-scorer.html', 5198, () => window.cpuScorerReady === true, async (page) => {
  const support = await page.evaluate(() => window.cpuScorer.support());
  const userAgent = await page.evaluate(() => navigator.userAgent);
  const threads = support.sharedMemory ? support.cpus : 1;
  const results = [];
  for (const dim of values.dims.split(',').map(Number)) {
    const options = {
      lengths, dim, queryTokens, runs: Number(values.runs), threads: [...new Set([1, threads])],
      jsRuns: Number(values['js-runs']), peerRuns: peerDims.has(dim) ? Number(values['peer-runs']) : 0, peerThreads: threads,
    };
    const rows = await page.evaluate((o) => window.cpuScorer.bench(o), options);
    results.push(...describeRows(rows, dim, lengths, queryTokens));
  }
  report('scorer-cpu-browser', { bench: 'scorer-cpu-browser', queryTokens, userAgent, support, environment: environment(), results }, [
    'd', 'path', 'precision', 'threads', 'backend', 'p50 ms', 'p95 ms', 'GFLOP/s', 'GB/s', '× peer', 'create / append ms',
  ], results.map((r) => [r.dim, r.path, r.precision, r.threads, r.backend, fmt(r.latency.median), fmt(r.latency.p95), fmt(r.gflops), fmt(r.gbps, 2), fmt(r.speedupOverPeer, 2), r.createMs === undefined ? '–' : `${fmt(r.createMs, 0)} / ${fmt(r.appendMs ?? 0, 0)}`]));
});
