// esbuild does not follow `new Worker(new URL(...))`: the SDK's workers are entry points of their own, laid out
// where the app's bundle looks for them (`<app>/../worker/`), with onnxruntime-web's .wasm copied beside them.
//   node build.mjs   → dist/ (serve it with COOP/COEP headers, the model under /models/)
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = import.meta.dirname;
const out = join(here, 'dist');
const sdk = dirname(fileURLToPath(import.meta.resolve('colbert-web')));
const ort = dirname(fileURLToPath(import.meta.resolve('onnxruntime-web')));

await build({
  entryPoints: {
    'src/main': join(here, '../../vite-app/src/main.js'),
    'worker/search-worker': join(sdk, 'worker/search-worker.js'),
    'worker/search-shared-worker': join(sdk, 'worker/search-shared-worker.js'),
    'worker/encoder-worker': join(sdk, 'worker/encoder-worker.js'),
  },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
});
cpSync(join(ort, 'ort-wasm-simd-threaded.jsep.wasm'), join(out, 'worker/ort-wasm-simd-threaded.jsep.wasm'));
cpSync(join(here, '../../vite-app/index.html'), join(out, 'index.html'));
