import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { compressFileSegments, IndexFileReader, IndexFileWriter, withTrainingKernels } from 'colbert-web/node';
import type { FileIdentity, FileSegment } from 'colbert-web/node';
import { choice } from './flags.js';

/** `--nbits 2|4` when given (anything else: `error [INVALID_INPUT]` naming the flag). */
export function nbitsFlag(value: string | undefined): 2 | 4 | undefined {
  return value === undefined ? undefined : (Number(choice('--nbits', value, ['2', '4'])) as 2 | 4);
}

/**
 * Compresses a complete index file of `nbits` in place once it holds `compressAt` rows, as a browser index does:
 * tables trained on all its rows, every segment coded, written to a temporary file renamed over the original (a
 * crash leaves the complete uncompressed file, and the next run compresses it). Returns the centroids, or 0 when
 * the file stays as it is (no nbits, compressed already, or under the threshold).
 */
export async function compressIndexFileInPlace(path: string, compressAt: number): Promise<{ centroids: number; tokens: number }> {
  const reader = new IndexFileReader();
  let identity: FileIdentity | undefined;
  let compressed = false;
  const segments: FileSegment[] = [];
  for (const item of reader.push(new Uint8Array(readFileSync(path)))) {
    if (item.kind === 'identity') identity = item;
    else if (item.kind === 'tables') compressed = true;
    else if (item.kind === 'segment') segments.push(item.segment);
  }
  const totals = reader.finish();
  if (!identity?.nbits || compressed || totals.tokens < compressAt || segments.length === 0) return { centroids: 0, tokens: totals.tokens };
  // Training's heavy steps on the WebAssembly kernels (the same tables as TypeScript's, bit for bit), every CPU.
  const { identity: { dim }, nbits } = identity;
  const threads = Math.min(8, availableParallelism());
  const { tables, coded } = await withTrainingKernels((kernels) => compressFileSegments(segments, dim, nbits, kernels ? { kernels } : {}), { threads });
  const writer = new IndexFileWriter();
  const parts = [writer.start(identity.identity, identity.precision, identity.poolFactor, identity.nbits), writer.tables(tables), ...coded.map((s) => writer.codedSegment(s, tables)), writer.end()];
  const temporary = `${path}.compressing`;
  writeFileSync(temporary, Buffer.concat(parts));
  renameSync(temporary, path);
  return { centroids: tables.table.centroids.length / tables.table.dim, tokens: totals.tokens };
}
