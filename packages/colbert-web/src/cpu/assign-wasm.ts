import { throwIfAborted } from '../errors.js';
import { ASSIGN_PROBE } from '../scoring/compressed/assign-centroid.js';
import type { NearestRequest } from '../scoring/compressed/spherical-kmeans.js';
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

/** Two-level tables as the assign kernel reads them (laid out as float64; float32 ones convert exactly). */
interface AssignTables {
  dim: number;
  coarse: Float32Array | Float64Array;
  coarseStart: Uint32Array;
  centroids: Float32Array | Float64Array;
  /** Coarse cells searched (1 or 2). */
  probe: number;
}

/**
 * `assignCentroids` (scoring/compressed/assign-centroid.ts) on the WebAssembly kernel, every thread claiming rows:
 * the same codes bit for bit (float64 sums of exact products in the same order, same ties). The centroid tables
 * are laid out once as float64; the rows go through in batches, so memory stays small and the signal is checked
 * between batches. Its regions lie above what the arena holds (a corpus laid out there stays) and are given back.
 */
export function assignCentroidsWasm(runner: KernelRunner, table: CentroidTable, vectors: Float32Array, options: AssignOptions = {}): Promise<Uint32Array> {
  const { dim } = table;
  const tables = { ...table, probe: Math.min(ASSIGN_PROBE, table.coarseStart.length - 1) };
  return assignBatches(runner, tables, vectors.length / dim, (into, from, n) => into.set(vectors.subarray(from * dim, (from + n) * dim)), options);
}

/**
 * `nearestRows(points, dim, request)` (scoring/compressed/spherical-kmeans.ts) on the same kernel: its tables as
 * one coarse cell holding all k float64 centroids, so the kernel's fine scan is exactly `nearestRow` (the same
 * float64 products and sum order, ties to the lower index). The coarse dot product is against a zero row, 0 for
 * any finite row: the points must be finite (training asserts it). Its regions lie above the arena's contents, like assignment's.
 */
export function nearestRowsWasm(runner: KernelRunner, points: Float32Array, dim: number, request: NearestRequest): Promise<Uint32Array> {
  const { rows, centroids, k } = request;
  const tables = { dim, coarse: new Float64Array(dim), coarseStart: Uint32Array.of(0, k), centroids: centroids.subarray(0, k * dim), probe: 1 };
  return assignBatches(runner, tables, rows.length, (into, from, n) => {
    // Runs of consecutive rows (a whole sample is one) go over in one copy.
    for (let i = 0; i < n; ) {
      let end = i + 1;
      while (end < n && rows[from + end]! === rows[from + end - 1]! + 1) end++;
      const first = rows[from + i]!;
      into.set(points.subarray(first * dim, (first + end - i) * dim), i * dim);
      i = end;
    }
  });
}

/** Runs the assign kernel over `rows` rows that `fill` copies into each batch (`n` rows from row `from`). */
async function assignBatches(runner: KernelRunner, tables: AssignTables, rows: number, fill: (into: Float32Array, from: number, n: number) => void, options: AssignOptions = {}): Promise<Uint32Array> {
  const { dim, coarse, coarseStart, centroids, probe } = tables;
  const codes = new Uint32Array(rows);
  const { arena } = runner;
  return runner.temporarily(async () => {
    const put64 = (values: Float32Array | Float64Array): number => {
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
      fill(arena.f32(vectorsAt, n * dim), from, n);
      await runner.run('assignCentroids', [0, chunk, 0, vectorsAt, n, dim, coarseAt, cells, startAt, centroidsAt, codesAt, scratch, slot, probe]);
      codes.set(arena.u32(codesAt, n), from);
      options.onProgress?.({ phase: 'assign', loaded: from + n, total: rows });
    }
    return codes;
  });
}
