// webpack 5 follows `new Worker(new URL(...))`, `new SharedWorker(new URL(...))` and onnxruntime-web's
// `new URL('x.wasm', import.meta.url)` by itself: nothing to copy but the page. Turn `splitChunks` off (below).
//   node build.mjs   → dist/ (serve it with COOP/COEP headers, the model under /models/)
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import webpack from 'webpack';

const here = import.meta.dirname;
const out = join(here, 'dist');

const stats = await new Promise((resolve, reject) =>
  webpack(
    {
      mode: 'production',
      target: 'web',
      entry: { main: join(here, '../../vite-app/src/main.js') },
      output: { path: out, filename: 'src/[name].js', chunkFilename: 'src/[name]-[contenthash].js', module: true, clean: true },
      experiments: { outputModule: true },
      performance: { hints: false },
      // splitChunks off: with it, webpack 5.113 splits the SDK's module workers into shared ES chunks and the workers
      // fail to start (`__webpack_modules__[moduleId] is not a function`). Minify in your own build; off here so the
      // package suite stays fast.
      optimization: { minimize: false, splitChunks: false },
    },
    (error, result) => (error ? reject(error) : resolve(result)),
  ),
);
if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
cpSync(join(here, '../../vite-app/index.html'), join(out, 'index.html'));
