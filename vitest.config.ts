import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => resolve(import.meta.dirname, 'packages', path);

// The GPU tests run WebGPU under Node (npm `webgpu`, Dawn) on Chromium's SwiftShader Vulkan driver. The dynamic
// loader reads these when a process starts, so they are set here, in the parent, for the forked workers to inherit.
process.env['LD_LIBRARY_PATH'] ??= '/usr/lib/chromium';
process.env['VK_ICD_FILENAMES'] ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

export default defineConfig({
  resolve: {
    // Tests run on the sources, not on dist/.
    alias: [
      { find: /^colbert-web\/node$/, replacement: src('colbert-web/src/node.ts') },
      { find: /^colbert-web\/graph$/, replacement: src('colbert-web/src/graph.ts') },
      { find: /^colbert-web$/, replacement: src('colbert-web/src/index.ts') },
      { find: /^@colbert-web\/fixtures$/, replacement: src('fixtures/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
