/// <reference lib="webworker" />
// Runs compressed-kernel-checks.ts in a dedicated worker, as the engine would run the kernels. Test code.
import { compressedKernelChecks, type KernelCheckOptions } from './compressed-kernel-checks.js';

self.onmessage = async (e: MessageEvent<KernelCheckOptions>) => {
  try {
    self.postMessage({ result: await compressedKernelChecks(e.data) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
