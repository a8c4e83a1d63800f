/**
 * bench/scorer-cpu.ts in Chromium: the same corpus and measurements (bench/scorer-cpu-work.ts) run in the page
 * demo/harness/cpu-scorer.html, served by a Vite dev server of its own (cross-origin isolated, so the scorer and
 * onnxruntime-web both get threads, and relaxed SIMD is on).
 *
 *   npx tsx bench/scorer-cpu-browser.ts [--dims 96,128] [--runs 9] [--js-runs 1] [--peer-runs 5] [--peer-dims 96]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
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

const server = await createServer({ configFile: join(import.meta.dirname, '../vite.config.ts'), logLevel: 'warn', server: { port: 5198, strictPort: true } });
await server.listen();
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.goto('http://localhost:5198/harness/cpu-scorer.html');
  await page.waitForFunction(() => window.cpuScorerReady === true, undefined, { timeout: 120_000 });
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
} finally {
  await browser.close();
  await server.close();
}
