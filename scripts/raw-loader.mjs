// Serves `*.wgsl?raw` imports as `export default "<file text>"` under plain Node, as Vite does in the browser:
//   node --import ./scripts/raw-loader.mjs app.js     npx tsx --import ./scripts/raw-loader.mjs bench/x.ts
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const RAW = /\.wgsl\?raw$/;

export async function resolve(specifier, context, next) {
  if (!RAW.test(specifier)) return next(specifier, context);
  return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
}

export async function load(url, context, next) {
  if (!RAW.test(url)) return next(url, context);
  const text = await readFile(new URL(url.replace(/\?raw$/, '')), 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}

// Imported with --import (main thread): register this same file as the hooks module, which Node loads on its own
// hooks thread, where there is nothing more to do.
if (isMainThread) register(import.meta.url);
