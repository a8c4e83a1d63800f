import type { PreparedText, Sequence } from './prepared.js';

/** A sequence's place in the output: which text, and where its kept rows go in that text's matrix. */
export interface SequenceRef {
  readonly text: number;
  readonly sequence: Sequence;
  /** First output row of this sequence inside its text's matrix. */
  readonly rowOffset: number;
}

/** A padded batch: ids and mask are [size, length] row-major. */
export interface Batch {
  readonly refs: readonly SequenceRef[];
  readonly length: number;
  readonly ids: BigInt64Array;
  readonly attentionMask: BigInt64Array;
}

/**
 * Groups sequences of similar length into padded batches of at most `maxBatchTokens` (batch × length)
 * tokens, so a few long documents never force short ones into long padding, and memory stays bounded.
 * Padding rows use `padId` with attention 0; they are never returned (PyLate drops them too).
 */
export function planBatches(texts: readonly PreparedText[], padId: number, maxBatchTokens: number): Batch[] {
  const refs: SequenceRef[] = [];
  texts.forEach((text, index) => {
    let rowOffset = 0;
    for (const sequence of text.sequences) {
      refs.push({ text: index, sequence, rowOffset });
      rowOffset += sequence.keepRows.length;
    }
  });
  // Longest first: each batch's length is its first member's.
  refs.sort((a, b) => b.sequence.ids.length - a.sequence.ids.length);
  const batches: Batch[] = [];
  for (let start = 0; start < refs.length; ) {
    const length = refs[start]!.sequence.ids.length;
    const size = Math.max(1, Math.min(refs.length - start, Math.floor(maxBatchTokens / length)));
    batches.push(pad(refs.slice(start, start + size), length, padId));
    start += size;
  }
  return batches;
}

function pad(refs: SequenceRef[], length: number, padId: number): Batch {
  const ids = new BigInt64Array(refs.length * length).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(refs.length * length);
  refs.forEach(({ sequence }, b) => {
    for (let t = 0; t < sequence.ids.length; t++) {
      ids[b * length + t] = BigInt(sequence.ids[t]!);
      attentionMask[b * length + t] = BigInt(sequence.attentionMask[t]!);
    }
  });
  return { refs, length, ids, attentionMask };
}
