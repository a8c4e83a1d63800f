/**
 * The CPU MaxSim scorer (WebAssembly SIMD, packages/colbert-web/src/cpu/) in Node on a SciFact-scale corpus:
 * 5,183 documents with SciFact's token-length spread (≈1.3M tokens), d = 96 and 128, 32 query tokens. Per-query
 * latency of the WASM path (int8 and f32, 1 thread and all threads), a plain JavaScript typed-array loop, and the
 * peer: onnxruntime-web's wasm backend running MatMul + ReduceMax + ReduceSum on padded tensors, same threads.
 * bench/scorer-cpu-browser.ts runs the same in Chromium.
 *
 *   npx tsx bench/scorer-cpu.ts [--dims 96,128] [--runs 9] [--js-runs 2] [--peer-runs 5] [--threads N]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { hasRelaxedSimd } from '../packages/colbert-web/src/cpu/simd-support.js';
import { scifactTokenLengths } from './scifact-lengths.js';
import { runCpuBench, runPeerBench } from './scorer-cpu-work.js';
import { describeRows } from './scorer-cpu-rows.js';
import { environment, fmt, report } from './stats.js';

const { values } = parseArgs({
  options: {
    dims: { type: 'string', default: '96,128' },
    runs: { type: 'string', default: '9' },
    'js-runs': { type: 'string', default: '2' },
    'peer-runs': { type: 'string', default: '5' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const lengths = scifactTokenLengths();
const threads = Number(values.threads);
const queryTokens = 32;

const results = [];
for (const dim of values.dims.split(',').map(Number)) {
  const rows = await runCpuBench(
    { lengths, dim, queryTokens, runs: Number(values.runs), threads: [...new Set([1, threads])], jsRuns: Number(values['js-runs']), peerRuns: Number(values['peer-runs']), peerThreads: threads },
    (peerOptions) => runPeerBench(ort, peerOptions),
  );
  results.push(...describeRows(rows, dim, lengths, queryTokens));
}

report('scorer-cpu', { bench: 'scorer-cpu', queryTokens, threads, relaxedSimd: hasRelaxedSimd(), environment: environment(), results }, [
  'd', 'path', 'precision', 'threads', 'backend', 'p50 ms', 'p95 ms', 'GFLOP/s', 'GB/s', '× peer', 'create / append ms',
], results.map((r) => [r.dim, r.path, r.precision, r.threads, r.backend, fmt(r.latency.median), fmt(r.latency.p95), fmt(r.gflops), fmt(r.gbps, 2), fmt(r.speedupOverPeer, 2), r.createMs === undefined ? '–' : `${fmt(r.createMs, 0)} / ${fmt(r.appendMs ?? 0, 0)}`]));
