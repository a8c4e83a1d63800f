import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import type { Connect, Plugin } from 'vite';
import { defineConfig } from 'vite';
import { ensureLexicalModel } from './demo/build/lexical-model.js';

const here = import.meta.dirname;

/**
 * Serves test and benchmark data to the browser, in dev and preview: ../shared (golden fixtures, SciFact)
 * under /__shared/, benchmark checkpoints generated into bench/.models under /__bench/, checkpoints the browser tests
 * generate (e2e/global-setup.ts) under /__generated/. Never part of the
 * built site.
 */
function serveTestData(): Plugin {
  const roots: Record<string, string> = {
    '/__shared/': resolve(here, '../shared'),
    '/__bench/': resolve(here, 'bench/.models'),
    '/__generated/': resolve(here, 'e2e/.generated'),
  };
  const types: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.txt': 'text/plain' };
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const prefix = Object.keys(roots).find((p) => url.pathname.startsWith(p));
    if (!prefix) return next();
    const root = roots[prefix]!;
    const file = normalize(join(root, decodeURIComponent(url.pathname.slice(prefix.length))));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
    res.setHeader('content-length', String(statSync(file).size));
    createReadStream(file).pipe(res);
  };
  return {
    name: 'colbert-web:serve-test-data',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

/** Generates the offline lexical demo model into public/models/lexical before serving or building. */
function lexicalModel(): Plugin {
  return {
    name: 'colbert-web:lexical-model',
    async configResolved() {
      await ensureLexicalModel(resolve(here, 'public/models/lexical'));
    },
  };
}

// Cross-origin isolation lets onnxruntime-web use WASM threads.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: resolve(here, 'demo'),
  publicDir: resolve(here, 'public'),
  plugins: [lexicalModel(), serveTestData()],
  // E2E_DEV_PORT / E2E_BUILD_PORT let two checkouts run their browser tests side by side.
  server: { port: Number(process.env['E2E_DEV_PORT'] ?? 5173), strictPort: true, headers: isolation },
  preview: { port: Number(process.env['E2E_BUILD_PORT'] ?? 4173), strictPort: true, headers: isolation },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    outDir: resolve(here, 'dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
    // The harness page lets the browser tests run against the production bundle too.
    rollupOptions: { input: { main: resolve(here, 'demo/index.html'), harness: resolve(here, 'demo/harness/encoder.html'), scorerHarness: resolve(here, 'demo/harness/scorer.html'), storeHarness: resolve(here, 'demo/harness/store.html'), cpuScorerHarness: resolve(here, 'demo/harness/cpu-scorer.html'), compressedHarness: resolve(here, 'demo/harness/compressed.html') } },
  },
});
