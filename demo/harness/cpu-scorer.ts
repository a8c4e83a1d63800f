// Exposes the WebAssembly MaxSim scorer, its checks and its benchmark to Playwright (e2e/scorer-wasm.spec.ts,
// bench/scorer-cpu-browser.ts), which drive them with page.evaluate. A test page, not part of the demo.
import { hasRelaxedSimd, hasSharedMemory, hasWasmSimd } from '../../packages/colbert-web/src/cpu/simd-support.js';
import { createWasmScorer } from '../../packages/colbert-web/src/cpu/wasm-scorer.js';
import { runCpuBench, type CpuBenchOptions, type CpuBenchRow, type PeerOptions, type PeerResult } from '../../bench/scorer-cpu-work.js';
import * as checks from './cpu-scorer-checks.js';

/** The peer in a worker, with the same threads (bench/scorer-cpu-work.ts says why). */
async function peerInWorker(options: PeerOptions): Promise<PeerResult> {
  const worker = new Worker(new URL('./cpu-peer-worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise<PeerResult>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<{ result?: PeerResult; error?: string }>) => (e.data.result ? resolve(e.data.result) : reject(new Error(e.data.error)));
      worker.postMessage(options);
    });
  } finally {
    worker.terminate();
  }
}

const cpuScorer = {
  createWasmScorer,
  support: () => ({ simd: hasWasmSimd(), relaxedSimd: hasRelaxedSimd(), sharedMemory: hasSharedMemory(), crossOriginIsolated, cpus: navigator.hardwareConcurrency }),
  checks,
  bench: (options: CpuBenchOptions): Promise<CpuBenchRow[]> => runCpuBench(options, peerInWorker),
};

declare global {
  interface Window {
    cpuScorer: typeof cpuScorer;
    cpuScorerReady: boolean;
  }
}

window.cpuScorer = cpuScorer;
window.cpuScorerReady = true;
