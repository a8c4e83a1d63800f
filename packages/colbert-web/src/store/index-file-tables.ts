/**
 * The TABL chunk payload of a compressed index file (version 2; little endian, every array 4-byte aligned):
 *   u32 dim | u32 nbits | u32 coarse cells C | u32 centroids k | u32 trainedTokens
 *   f32 coarse[C × dim] | u32 coarseStart[C + 1] | f32 centroids[k × dim] | f32 cutoffs[dim × (2^nbits − 1)]
 *   f32 weights[dim × 2^nbits]
 * Sizes are checked against the payload before anything is allocated, then every table against the others
 * (`validateTables`): anything wrong is INDEX_FILE_INVALID.
 */
import { ColbertError } from '../errors.js';
import { validateSharedTables } from '../scoring/compressed/compressed-tables.js';
import { RESIDUAL_NBITS, type ResidualCodec } from '../scoring/compressed/residual-codec.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import { invalidFile } from './index-file-format.js';

/** The shared tables as a file carries them. */
export interface FileTables {
  readonly table: CentroidTable;
  readonly codec: ResidualCodec;
  /** Token rows the tables were trained on (the re-training policy compares against it). */
  readonly trainedTokens: number;
}

const HEADER_WORDS = 5;

/** The payload of a TABL chunk. */
export function encodeTables(t: FileTables): Uint8Array {
  const { table, codec } = t;
  const arrays = [table.coarse, table.coarseStart, table.centroids, codec.cutoffs, codec.weights];
  const out = new Uint8Array(4 * HEADER_WORDS + arrays.reduce((n, a) => n + a.byteLength, 0));
  const view = new DataView(out.buffer);
  [table.dim, codec.nbits, table.coarseStart.length - 1, table.centroids.length / table.dim, t.trainedTokens].forEach((v, i) => view.setUint32(4 * i, v, true));
  let at = 4 * HEADER_WORDS;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

/** Reads a TABL payload for an index of `dim` and `nbits`; any inconsistency → INDEX_FILE_INVALID at `offset`. */
export function decodeTables(p: Uint8Array, expected: { dim: number; nbits: number }, offset: number): FileTables {
  const bad = (why: string): Error => invalidFile(`the compression tables ${why}`, offset);
  if (p.length < 4 * HEADER_WORDS) throw bad('are cut short');
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const [dim, nbits, cells, k, trainedTokens] = [0, 1, 2, 3, 4].map((i) => view.getUint32(4 * i, true)) as [number, number, number, number, number];
  if (dim !== expected.dim || nbits !== expected.nbits || !RESIDUAL_NBITS.includes(nbits)) throw bad(`are ${dim}-dim with nbits ${nbits}, the file says ${expected.dim}/${expected.nbits}`);
  const buckets = 2 ** nbits;
  const words = [cells * dim, cells + 1, k * dim, dim * (buckets - 1), dim * buckets];
  // float64 arithmetic: no u32 overflow can make a huge claim look small.
  if (4 * HEADER_WORDS + 4 * words.reduce((n, w) => n + w, 0) !== p.length || k < 1 || cells < 1) throw bad(`(${cells} cells, ${k} centroids) do not add up to their ${p.length} bytes`);
  let at = 4 * HEADER_WORDS;
  const take = (count: number): ArrayBuffer => {
    const b = p.slice(at, at + 4 * count).buffer;
    at += 4 * count;
    return b;
  };
  const [coarse, coarseStart, centroids, cutoffs, weights] = words.map(take) as [ArrayBuffer, ArrayBuffer, ArrayBuffer, ArrayBuffer, ArrayBuffer];
  const table: CentroidTable = { dim, coarse: new Float32Array(coarse), coarseStart: new Uint32Array(coarseStart), centroids: new Float32Array(centroids) };
  const codec: ResidualCodec = { dim, nbits, cutoffs: new Float32Array(cutoffs), weights: new Float32Array(weights) };
  try {
    validateSharedTables(table, codec);
  } catch (error) {
    throw bad(error instanceof ColbertError ? `are invalid (${error.subject ?? 'table'}: ${error.message})` : 'are invalid');
  }
  return { table, codec, trainedTokens };
}
