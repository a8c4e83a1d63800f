// Exposes compressed-index training (e2e/compressed-determinism.spec.ts) and the WGSL compressed search
// (e2e/compressed-gpu.spec.ts) to Playwright. A test page.
import { compressedDigests } from './compressed-digest.js';
import { compressedGpuCase } from './compressed-gpu.js';

const compressed = { compressedDigests, compressedGpuCase };

declare global {
  interface Window {
    compressed: typeof compressed;
    compressedReady: boolean;
  }
}

window.compressed = compressed;
window.compressedReady = true;
