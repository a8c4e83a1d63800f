import { ColbertError, ErrorCode } from '../../errors.js';
import { residualBytes, RESIDUAL_NBITS, type ResidualCodec } from './residual-codec.js';
import type { CentroidTable } from './train-centroids.js';

/**
 * Everything a compressed index persists, as flat typed arrays (the store and the .cwi file write these tables
 * as they are; docs/compressed-index.md gives their layout). Inverted lists are not persisted: they follow from
 * `codes` and are rebuilt on open, so a list can never disagree with the codes it indexes.
 */
export interface CompressedTables {
  centroids: CentroidTable;
  codec: ResidualCodec;
  /** Sequence number per document, strictly increasing. */
  seqs: Uint32Array;
  /** documents + 1 token offsets: document i holds tokens tokenStart[i] … tokenStart[i + 1] − 1 (≥ 1 token). */
  tokenStart: Uint32Array;
  /** Fine centroid id per token. */
  codes: Uint32Array;
  /** Packed residual buckets, residualBytes(dim, nbits) per token. */
  residuals: Uint8Array;
  /** Tombstoned sequence numbers (removed, not yet compacted away). */
  removed: Uint32Array;
}

function corrupt(table: string, problem: string): ColbertError {
  return new ColbertError(ErrorCode.IndexCorrupt, `Compressed index table ${table}: ${problem}. Clear the index (or re-import it) and add the documents again.`, { subject: table });
}

function expectLength(table: string, actual: number, expected: number): void {
  if (actual !== expected) throw corrupt(table, `holds ${actual} values where ${expected} are expected`);
}

function expectFinite(table: string, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) throw corrupt(table, `value ${i} is not finite`);
}

/** Offsets from 0 to `last`, non-decreasing (strictly increasing when `strict`). */
function expectOffsets(table: string, offsets: Uint32Array, last: number, strict: boolean): void {
  if (offsets.length === 0 || offsets[0] !== 0) throw corrupt(table, 'does not start at 0');
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]! < offsets[i - 1]! || (strict && offsets[i] === offsets[i - 1])) throw corrupt(table, `offset ${i} (${offsets[i]}) goes backwards or is empty`);
  }
  if (offsets[offsets.length - 1] !== last) throw corrupt(table, `ends at ${offsets[offsets.length - 1]}, not ${last}`);
}

/**
 * Bounds-checks every table against the others, so that decoding can index them without further checks:
 * a code past the centroids, an offset past the tokens, a residual table of the wrong size or a non-finite
 * centroid is INDEX_CORRUPT naming the table, never an out-of-bounds read or a wrong score.
 */
export function validateTables(tables: CompressedTables): void {
  const { centroids: table, codec, seqs, tokenStart, codes, residuals } = tables;
  const { dim } = table;
  if (!Number.isInteger(dim) || dim <= 0) throw corrupt('centroids', `dim ${dim} is not a positive integer`);
  if (codec.dim !== dim) throw corrupt('codec', `dim ${codec.dim} differs from the centroids' ${dim}`);
  if (!RESIDUAL_NBITS.includes(codec.nbits)) throw corrupt('codec', `nbits ${codec.nbits} is not 2 or 4`);
  const cells = table.coarseStart.length - 1;
  expectLength('coarse', table.coarse.length, cells * dim);
  const k = table.centroids.length / dim;
  if (!Number.isInteger(k) || k < 1) throw corrupt('centroids', `${table.centroids.length} values is not a whole number of ${dim}-dim rows`);
  expectOffsets('coarseStart', table.coarseStart, k, false);
  expectFinite('coarse', table.coarse);
  expectFinite('centroids', table.centroids);
  const buckets = 2 ** codec.nbits;
  expectLength('cutoffs', codec.cutoffs.length, dim * (buckets - 1));
  expectLength('weights', codec.weights.length, dim * buckets);
  expectFinite('cutoffs', codec.cutoffs);
  expectFinite('weights', codec.weights);
  validateCodedRows({ centroids: k, residualBytes: residualBytes(dim, codec.nbits) }, { seqs, tokenStart, codes, residuals });
}

/** Checks the shared tables alone (an index without documents yet). */
export function validateSharedTables(table: CentroidTable, codec: ResidualCodec): void {
  validateTables({ centroids: table, codec, seqs: new Uint32Array(0), tokenStart: Uint32Array.of(0), codes: new Uint32Array(0), residuals: new Uint8Array(0), removed: new Uint32Array(0) });
}

/**
 * Bounds-checks coded documents against tables of `centroids` fine centroids and `residualBytes` per token:
 * sequence numbers increase, offsets run from 0 to the codes without an empty document, every code names a
 * centroid, the residuals have the right size (INDEX_CORRUPT naming the table).
 */
export function validateCodedRows(
  shape: { centroids: number; residualBytes: number },
  rows: Pick<CompressedTables, 'seqs' | 'tokenStart' | 'codes' | 'residuals'>,
): void {
  const { seqs, tokenStart, codes, residuals } = rows;
  const k = shape.centroids;
  expectLength('tokenStart', tokenStart.length, seqs.length + 1);
  for (let i = 1; i < seqs.length; i++) if (seqs[i]! <= seqs[i - 1]!) throw corrupt('seqs', `sequence number ${i} does not increase`);
  expectOffsets('tokenStart', tokenStart, codes.length, true);
  for (let t = 0; t < codes.length; t++) if (codes[t]! >= k) throw corrupt('codes', `token ${t} names centroid ${codes[t]} of ${k}`);
  expectLength('residuals', residuals.length, codes.length * shape.residualBytes);
}
