// Exposes compressed-index training to Playwright (e2e/compressed-determinism.spec.ts). A test page.
import { compressedDigests } from './compressed-digest.js';

const compressed = { compressedDigests };

declare global {
  interface Window {
    compressed: typeof compressed;
    compressedReady: boolean;
  }
}

window.compressed = compressed;
window.compressedReady = true;
