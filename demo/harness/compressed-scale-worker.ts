/// <reference lib="webworker" />
// Runs compressed-scale.ts in a dedicated worker, where the engine runs the kernels. Test code.
import { compressedScaleBench, type ScaleOptions } from './compressed-scale.js';

self.onmessage = async (e: MessageEvent<ScaleOptions>) => {
  try {
    self.postMessage({ result: await compressedScaleBench(e.data) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
