import { describe, expect, test } from 'vitest';
import { ColbertError } from '../../errors.js';
import { decodeSegmentTerms, encodeSegmentTerms, segmentTerms } from './segment-terms.js';

const terms = segmentTerms([['naïve', 'cat', 'cat'], [], ['dog', 'cat']]);

function corrupted(edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = encodeSegmentTerms(terms).slice();
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ColbertError ? `${error.code}: ${error.message}` : String(error);
  }
  return undefined;
}

describe('segment terms', () => {
  test('group each document’s distinct terms with their frequencies, in first-occurrence order', () => {
    expect(terms.dictionary).toEqual(['naïve', 'cat', 'dog']);
    expect([...terms.starts]).toEqual([0, 2, 2, 4]);
    expect([...terms.pairs]).toEqual([0, 1, 1, 2, 2, 1, 1, 1]);
  });

  test('round-trip through bytes, empty batches too', () => {
    expect(decodeSegmentTerms(encodeSegmentTerms(terms), 'segment 1')).toEqual(terms);
    const empty = segmentTerms([]);
    expect(decodeSegmentTerms(encodeSegmentTerms(empty), 'segment 2')).toEqual(empty);
  });

  test.each([
    ['a short buffer', () => new Uint8Array(7), /shorter than their header/],
    ['a length the header does not say', () => corrupted((v) => v.setUint32(12, 5, true)), /their header says/],
    ['offsets that do not span the entries', () => corrupted((v) => v.setUint32(16 + 3 * 4, 3, true)), /do not span/],
    ['decreasing offsets', () => corrupted((v) => v.setUint32(16 + 1 * 4, 3, true)), /decrease at document 1/],
    ['a term index past the dictionary', () => corrupted((v) => v.setUint32(16 + 4 * 4, 9, true)), /names term 9 of 3/],
    ['a zero term frequency', () => corrupted((v) => v.setUint32(16 + 5 * 4, 0, true)), /zero term frequency/],
    ['a dictionary of another size', () => corrupted((v) => v.setUint32(4, 4, true)), /holds 3 terms; its header says 4/],
    ['invalid UTF-8', () => corrupted((_v, b) => (b[b.length - 1] = 0xff)), /not valid UTF-8/],
  ])('%s is INDEX_CORRUPT naming the segment', (_name, make, message) => {
    const error = codeOf(() => decodeSegmentTerms(make(), 'segment 9'));
    expect(error).toMatch(/^INDEX_CORRUPT: segment 9: /);
    expect(error).toMatch(message);
  });
});
