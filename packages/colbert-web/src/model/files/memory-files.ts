import type { ModelFiles } from './model-files.js';
import { missingFile } from './model-files.js';

/**
 * Checkpoint files already in memory, e.g. from a file picker or a test.
 *
 * @example
 * const files = memoryFiles({ 'config.json': bytes, ... }, 'my-upload');
 */
export function memoryFiles(
  entries: Record<string, Uint8Array | ArrayBuffer> | Map<string, Uint8Array | ArrayBuffer>,
  location = 'in-memory files',
): ModelFiles {
  const map = new Map<string, Uint8Array>();
  const pairs = entries instanceof Map ? entries.entries() : Object.entries(entries);
  for (const [path, value] of pairs) {
    map.set(normalizePath(path), value instanceof Uint8Array ? value : new Uint8Array(value));
  }
  return {
    location,
    async read(path) {
      const bytes = map.get(normalizePath(path));
      if (!bytes) throw missingFile({ location }, path);
      return bytes;
    },
    async exists(path) {
      return map.has(normalizePath(path));
    },
  };
}

function normalizePath(path: string): string {
  return path.replace(/^\.?\/+/, '');
}
