import type { OperationOptions } from '../../protocol/progress.js';
import type { ModelFiles } from './model-files.js';
import { isMissingFile } from './model-files.js';

/**
 * One load's view of a model source: each file is requested once however often the load reads it (the checkpoint
 * reader, then the index's model identity, which hashes the same files), and `exists` is answered by that same
 * read instead of a HEAD probe, so an optional file costs one GET and a present one is not fetched twice. Keep it
 * for one load only: it holds every file read through it.
 *
 * @example
 * const files = loadOnce(filesFromSource(model));
 * const encoder = await loadEncoder(files);
 * const identity = await modelIdentity(files, encoder.checkpoint); // no second download
 */
export function loadOnce(files: ModelFiles): ModelFiles {
  const reads = new Map<string, Promise<Uint8Array>>();
  const read = (path: string, options?: OperationOptions): Promise<Uint8Array> => {
    let bytes = reads.get(path);
    if (!bytes) {
      bytes = files.read(path, options);
      reads.set(path, bytes);
      // A failed read (aborted, offline) is not remembered: a later read in the same load asks again.
      bytes.catch((error: unknown) => {
        if (!isMissingFile(error)) reads.delete(path);
      });
    }
    return bytes;
  };
  return {
    location: files.location,
    read,
    async exists(path) {
      try {
        await read(path);
        return true;
      } catch (error) {
        if (isMissingFile(error)) return false;
        throw error;
      }
    },
  };
}
