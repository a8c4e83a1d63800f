/**
 * The browser entry never reaches onnxruntime-node: following every static and dynamic import from `index.ts`
 * through the source finds neither the package nor the native session.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const src = dirname(fileURLToPath(import.meta.url));
const SPECIFIER = /(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

/** Every source file reachable from `entry`, and every package it imports. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = (match[1] ?? match[2])!;
      // Shaders (`./x.wgsl?raw`) and other assets import nothing.
      if (specifier.startsWith('.')) {
        if (specifier.endsWith('.js')) visit(join(dirname(file), specifier).replace(/\.js$/, '.ts'));
      } else packages.add(specifier);
    }
  };
  visit(join(src, entry));
  return { files, packages };
}

test('index.ts imports nothing of onnxruntime-node; node.ts does (so the walk would see it)', () => {
  const { files, packages } = reachable('index.ts');
  expect(files.size).toBeGreaterThan(20);
  expect(packages).toContain('onnxruntime-web');
  expect(packages).not.toContain('onnxruntime-node');
  expect([...files].map((f) => relative(src, f))).not.toContain('model/native-session.ts');
  expect(reachable('node.ts').packages).toContain('onnxruntime-node');
});
