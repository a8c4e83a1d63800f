import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { throwIfAborted } from '../../errors.js';
import type { ModelFiles } from './model-files.js';
import { missingFile } from './model-files.js';

/** A checkpoint folder on disk (Node only: exported from the `colbert-web/node` entry). */
export function folderFiles(folder: string): ModelFiles {
  const root = resolve(folder);
  return {
    location: root,
    async read(path, options = {}) {
      throwIfAborted(options.signal);
      try {
        const buffer = await readFile(join(root, path));
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (cause) {
        throw missingFile({ location: root }, path, cause);
      }
    },
    async exists(path) {
      try {
        return (await stat(join(root, path))).isFile();
      } catch {
        return false;
      }
    },
  };
}
