// Exposes compressed-index training and the compressed WASM kernels (run in a worker) to Playwright
// (e2e/compressed-determinism.spec.ts), the WGSL compressed search (e2e/compressed-gpu.spec.ts) and the latency
// curve in a worker (bench/compressed-scale-browser.ts). A test page.
import { compressedDigests } from './compressed-digest.js';
import { compressedGpuCase } from './compressed-gpu.js';
import type { KernelCheckOptions, KernelCheckResult } from './compressed-kernel-checks.js';
import type { ScaleOptions, ScaleRow } from './compressed-scale.js';

/** Posts `options` to a harness worker, resolves to the result it posts back, then ends the worker. */
function inWorker<T>(worker: Worker, options: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ result?: T; error?: string }>) => (e.data.result ? resolve(e.data.result) : reject(new Error(e.data.error)));
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(options);
  }).finally(() => worker.terminate());
}

function kernelChecksInWorker(options: KernelCheckOptions): Promise<KernelCheckResult> {
  return inWorker(new Worker(new URL('./compressed-kernels-worker.ts', import.meta.url), { type: 'module' }), options);
}

/** bench/compressed-scale-browser.ts: one corpus size measured in a worker of its own. */
function scaleBenchInWorker(options: ScaleOptions): Promise<ScaleRow> {
  return inWorker(new Worker(new URL('./compressed-scale-worker.ts', import.meta.url), { type: 'module' }), options);
}

const compressed = { compressedDigests, compressedGpuCase, kernelChecksInWorker, scaleBenchInWorker };

declare global {
  interface Window {
    compressed: typeof compressed;
    compressedReady: boolean;
  }
}

window.compressed = compressed;
window.compressedReady = true;
