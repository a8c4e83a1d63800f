import { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import { assignCentroidsWasm } from './assign-wasm.js';
import type { KernelRunner } from './compressed-runner.js';
import { searchCompressedWasm } from './compressed-search-wasm.js';

function unitRows(rows: number, dim: number, phase: number): Float32Array {
  const values = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      const v = Math.sin(phase + r * 1.7 + i * 0.31 * (1 + (r % 5)));
      values[r * dim + i] = v;
      norm += v * v;
    }
    for (let i = 0; i < dim; i++) values[r * dim + i]! /= Math.sqrt(norm);
  }
  return values;
}

/**
 * Runs every kernel a few times on a small throwaway corpus, then forgets it. V8 first runs WebAssembly through
 * its baseline compiler and switches a function to optimised code only on a later call, once it has run hot:
 * without this the first search and the first assignment batch of a real index run several times slower.
 */
export async function warmUpCompressed(runner: KernelRunner): Promise<void> {
  const dim = 64;
  const cells = 8;
  const table: CentroidTable = {
    dim,
    coarse: unitRows(cells, dim, 0),
    coarseStart: Uint32Array.from({ length: cells + 1 }, (_, j) => 32 * j),
    centroids: unitRows(32 * cells, dim, 1),
  };
  const lengths = new Uint32Array(256).fill(24);
  const vectors = unitRows(256 * 24, dim, 2);
  const query = { precision: 'f32' as const, dim, rows: 32, values: unitRows(32, dim, 3) };
  for (const nbits of [2, 4]) {
    const buckets = 1 << nbits;
    const codec = {
      dim,
      nbits,
      cutoffs: Float32Array.from({ length: dim * (buckets - 1) }, (_, i) => 0.01 * ((i % (buckets - 1)) - buckets / 2)),
      weights: Float32Array.from({ length: dim * buckets }, (_, i) => 0.01 * ((i % buckets) - buckets / 2)),
    };
    const corpus = CompressedCorpus.create(table, codec);
    corpus.append({ vectors, lengths, seqs: Uint32Array.from(lengths.keys()) }, await assignCentroidsWasm(runner, table, vectors));
    for (let i = 0; i < 3; i++) {
      await searchCompressedWasm(runner, corpus, query, { k: 10, nprobe: 4, ndocs: 128 });
      await searchCompressedWasm(runner, corpus, query, { k: 10, exact: true });
    }
    corpus.close();
  }
  runner.clear();
}
