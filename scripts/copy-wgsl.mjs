// tsc emits no .wgsl: copy the shaders next to the compiled kernels in packages/colbert-web/dist, where the
// `./x.wgsl?raw` imports (bundlers, or Node with scripts/raw-loader.mjs) look for them.
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../packages/colbert-web');
const src = join(root, 'src');
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.wgsl')) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(root, 'dist', relative(src, from));
  cpSync(from, to);
  process.stdout.write(`copied ${relative(root, from)} → ${relative(root, to)}\n`);
}
