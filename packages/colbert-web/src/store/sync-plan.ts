import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { Manifest, SegmentEntry } from './records.js';

/** What a reader (an engine) holds of an index: the segments it loaded, as of one manifest generation. */
export interface HeldIndex {
  readonly generation: number;
  readonly precision: StoredPrecision;
  readonly segments: readonly SegmentEntry[];
}

/**
 * How to bring a held view up to a newer manifest by loading only what changed.
 *
 * Sequence numbers only grow: an add's segments hold seqs above every committed one, compaction rewrites segments
 * without renumbering, clear drops segments, import replaces them with seqs above every earlier one. So a listed
 * segment the reader does not hold is either new (all its seqs above what it holds: append it) or a rewrite of
 * held ones (all its seqs at or below: its vectors are already held, only which seqs survive matters).
 */
export type SyncPlan =
  | { readonly kind: 'unchanged' }
  /** Precision changed, or a compaction merged held and not-yet-held segments: load everything again. */
  | { readonly kind: 'reload' }
  | {
      readonly kind: 'delta';
      /** New segments, in manifest (= sequence-number) order. */
      readonly append: readonly SegmentEntry[];
      /** Held segments the manifest no longer lists (rewritten by compaction, dropped by clear or import). */
      readonly vanished: readonly SegmentEntry[];
      /** Segments that replace vanished ones: the documents of vanished segments that live on are in these. */
      readonly rewritten: readonly SegmentEntry[];
    };

/** Plans a catch-up from `held` to the committed manifest `m`. */
export function planSync(held: HeldIndex, m: Pick<Manifest, 'generation' | 'precision' | 'segments'>): SyncPlan {
  if (m.generation === held.generation) return { kind: 'unchanged' };
  if (m.precision !== held.precision) return { kind: 'reload' };
  const heldIds = new Set(held.segments.map((s) => s.id));
  const listedIds = new Set(m.segments.map((s) => s.id));
  const heldMax = held.segments.reduce((max, s) => Math.max(max, s.lastSeq), -1);
  const append: SegmentEntry[] = [];
  const rewritten: SegmentEntry[] = [];
  for (const s of m.segments) {
    if (heldIds.has(s.id)) continue;
    if (s.firstSeq > heldMax) append.push(s);
    else if (s.lastSeq <= heldMax) rewritten.push(s);
    else return { kind: 'reload' };
  }
  const vanished = held.segments.filter((s) => !listedIds.has(s.id));
  return { kind: 'delta', append, vanished, rewritten };
}

/** Whether `seq` lies inside one of the segments' [firstSeq, lastSeq] ranges. */
export function inSegments(segments: readonly SegmentEntry[], seq: number): boolean {
  return segments.some((s) => seq >= s.firstSeq && seq <= s.lastSeq);
}
