import { defineConfig } from 'vite';

// Cross-origin isolation lets onnxruntime-web and the scorer use WASM threads (the SDK works without it, on one).
const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  server: { headers },
  preview: { headers },
  worker: { format: 'es' },
  // onnxruntime-web finds its .wasm next to its own module: keep it out of Vite's dependency pre-bundling.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
