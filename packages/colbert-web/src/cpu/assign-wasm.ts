import { throwIfAborted } from '../errors.js';
import { ASSIGN_PROBE } from '../scoring/compressed/assign-centroid.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import type { KernelRunner } from './compressed-runner.js';

/** Progress of an assignment: token rows assigned so far. */
export interface AssignProgressEvent {
  phase: 'assign';
  loaded: number;
  total: number;
}

export interface AssignOptions {
  signal?: AbortSignal;
  onProgress?(event: AssignProgressEvent): void;
}

/** Token rows copied into WebAssembly memory per kernel run (8 MiB of f32 at d = 128). */
const BATCH_ROWS = 16_384;

/**
 * `assignCentroids` (scoring/compressed/assign-centroid.ts) on the WebAssembly kernel, every thread claiming rows:
 * the same codes bit for bit (float64 sums of exact products in the same order, same ties). The centroid tables
 * are laid out once as float64; the rows go through in batches, so memory stays small and the signal is checked
 * between batches. Its regions lie above what the arena holds (a corpus laid out there stays) and are given back.
 */
export async function assignCentroidsWasm(runner: KernelRunner, table: CentroidTable, vectors: Float32Array, options: AssignOptions = {}): Promise<Uint32Array> {
  const { dim, coarse, coarseStart, centroids } = table;
  const rows = vectors.length / dim;
  const codes = new Uint32Array(rows);
  const { arena } = runner;
  return runner.temporarily(async () => {
    const put64 = (values: Float32Array): number => {
      const at = arena.alloc(8 * values.length);
      arena.f64(at, values.length).set(values);
      return at;
    };
    const coarseAt = put64(coarse);
    const centroidsAt = put64(centroids);
    const startAt = arena.alloc(4 * coarseStart.length);
    arena.u32(startAt, coarseStart.length).set(coarseStart);
    const cells = coarseStart.length - 1;
    const slot = (8 * (dim + cells + 1) + 15) & ~15; // the row as f64, then a dot product per cell
    const scratch = arena.alloc(slot * runner.threads);
    const batch = Math.min(rows, BATCH_ROWS);
    const vectorsAt = arena.alloc(4 * batch * dim);
    const codesAt = arena.alloc(4 * batch);
    const chunk = Math.max(1, Math.min(64, Math.ceil(batch / (runner.threads * 16))));
    for (let from = 0; from < rows; from += batch) {
      throwIfAborted(options.signal);
      const n = Math.min(batch, rows - from);
      arena.f32(vectorsAt, n * dim).set(vectors.subarray(from * dim, (from + n) * dim));
      await runner.run('assignCentroids', [0, chunk, 0, vectorsAt, n, dim, coarseAt, cells, startAt, centroidsAt, codesAt, scratch, slot, Math.min(ASSIGN_PROBE, cells)]);
      codes.set(arena.u32(codesAt, n), from);
      options.onProgress?.({ phase: 'assign', loaded: from + n, total: rows });
    }
    return codes;
  });
}
