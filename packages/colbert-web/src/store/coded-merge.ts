import type { CodedBatch } from './coded-segment.js';
import { isTombstoned } from './manifest.js';

/**
 * The live documents of several coded batches (same tables), codes and residuals copied bit for bit into one
 * (compaction, export; `bytes` of residual per token): the coded twin of `mergeLive`.
 */
export function mergeLiveCoded(
  batches: readonly CodedBatch[],
  tombstones: Uint32Array,
  bytes: number,
): { lengths: Uint32Array; seqs: Uint32Array; codes: Uint32Array; residuals: Uint8Array; purged: number[] } {
  const keep: { batch: CodedBatch; doc: number }[] = [];
  const purged: number[] = [];
  for (const batch of batches) {
    batch.seqs.forEach((seq, doc) => (isTombstoned(tombstones, seq) ? purged.push(seq) : keep.push({ batch, doc })));
  }
  const rows = keep.reduce((n, k) => n + k.batch.lengths[k.doc]!, 0);
  const codes = new Uint32Array(rows);
  const residuals = new Uint8Array(rows * bytes);
  let at = 0;
  for (const { batch, doc } of keep) {
    const from = batch.tokenStart[doc]!;
    const to = batch.tokenStart[doc + 1]!;
    codes.set(batch.codes.subarray(from, to), at);
    residuals.set(batch.residuals.subarray(from * bytes, to * bytes), at * bytes);
    at += to - from;
  }
  return { lengths: Uint32Array.from(keep, (k) => k.batch.lengths[k.doc]!), seqs: Uint32Array.from(keep, (k) => k.batch.seqs[k.doc]!), codes, residuals, purged };
}
