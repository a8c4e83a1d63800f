// Rollup does not follow `new Worker(new URL(...))` either: as with esbuild, the SDK's workers are entry points laid
// out where the app's bundle looks for them (`<app>/../worker/`), with onnxruntime-web's .wasm copied beside them.
//   node build.mjs   → dist/ (serve it with COOP/COEP headers, the model under /models/)
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';

const here = import.meta.dirname;
const out = join(here, 'dist');
const sdk = dirname(fileURLToPath(import.meta.resolve('colbert-web')));
const ort = dirname(fileURLToPath(import.meta.resolve('onnxruntime-web')));

const bundle = await rollup({
  input: {
    'src/main': join(here, '../../vite-app/src/main.js'),
    'worker/search-worker': join(sdk, 'worker/search-worker.js'),
    'worker/search-shared-worker': join(sdk, 'worker/search-shared-worker.js'),
    'worker/encoder-worker': join(sdk, 'worker/encoder-worker.js'),
  },
  plugins: [nodeResolve({ browser: true })],
  onwarn: (warning, warn) => warning.code !== 'CIRCULAR_DEPENDENCY' && warn(warning),
});
await bundle.write({ dir: out, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'worker/[name]-[hash].js' });
await bundle.close();
cpSync(join(ort, 'ort-wasm-simd-threaded.jsep.wasm'), join(out, 'worker/ort-wasm-simd-threaded.jsep.wasm'));
cpSync(join(here, '../../vite-app/index.html'), join(out, 'index.html'));
