// Exposes compressed-index training and the compressed WASM kernels (run in a worker) to Playwright
// (e2e/compressed-determinism.spec.ts), and the WGSL compressed search (e2e/compressed-gpu.spec.ts). A test page.
import { compressedDigests } from './compressed-digest.js';
import { compressedGpuCase } from './compressed-gpu.js';
import type { KernelCheckOptions, KernelCheckResult } from './compressed-kernel-checks.js';

function kernelChecksInWorker(options: KernelCheckOptions): Promise<KernelCheckResult> {
  const worker = new Worker(new URL('./compressed-kernels-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<KernelCheckResult>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ result?: KernelCheckResult; error?: string }>) => (e.data.result ? resolve(e.data.result) : reject(new Error(e.data.error)));
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(options);
  }).finally(() => worker.terminate());
}

const compressed = { compressedDigests, compressedGpuCase, kernelChecksInWorker };

declare global {
  interface Window {
    compressed: typeof compressed;
    compressedReady: boolean;
  }
}

window.compressed = compressed;
window.compressedReady = true;
