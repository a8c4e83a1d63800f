import { describe, expect, test } from 'vitest';
import { KeywordMirror } from './keyword-mirror.js';

const docs = [
  { seq: 3, text: 'heart attack and aspirin' },
  { seq: 5, text: 'bread and yeast' },
  { seq: 8, text: 'heart shaped bread' },
  { seq: 9, text: null },
  { seq: 12, text: 'the heart of the river' },
];

function mirrorOf(list: typeof docs): KeywordMirror {
  const mirror = new KeywordMirror();
  mirror.append(list);
  return mirror;
}

describe('KeywordMirror', () => {
  test("one sync's documents in any order are taken in sequence order", () => {
    const shuffled = new KeywordMirror();
    shuffled.append([docs[4]!, docs[0]!, docs[2]!]);
    shuffled.append([]);
    expect(shuffled.search('heart', { k: 10 })).toEqual(mirrorOf([docs[0]!, docs[2]!, docs[4]!]).search('heart', { k: 10 }));
  });

  test('after removes settle, scores equal a fresh index of the live documents (N, df, avgdl of the live ones)', () => {
    const mirror = mirrorOf(docs);
    mirror.remove([5, 12, 99]);
    const before = mirror.search('heart bread', { k: 10 });
    mirror.settle();
    const fresh = mirrorOf([docs[0]!, docs[2]!, docs[3]!]);
    expect(mirror.search('heart bread', { k: 10 })).toEqual(fresh.search('heart bread', { k: 10 }));
    // Unsettled, the removed documents still counted in the statistics: the scores were different.
    expect(before.map((h) => h.score)).not.toEqual(fresh.search('heart bread', { k: 10 }).map((h) => h.score));
    expect(mirror.documents).toBe(3);
  });

  test('later adds follow a compaction; a document without text is held but never a hit; clear empties', () => {
    const mirror = mirrorOf(docs);
    mirror.remove([12]);
    mirror.settle();
    mirror.append([{ seq: 20, text: 'river heart' }]);
    expect(mirror.search('heart', { k: 10 }).map((h) => h.seq).sort((a, b) => a - b)).toEqual([3, 8, 20]);
    expect(mirror.search('the', { k: 10 })).toEqual([]);
    expect(mirror.search('heart', { k: 10, only: Uint32Array.of(8, 9) }).map((h) => h.seq)).toEqual([8]);
    mirror.clear();
    expect(mirror.documents).toBe(0);
    expect(mirror.search('heart', { k: 10 })).toEqual([]);
    mirror.append([{ seq: 1, text: 'heart' }]); // a reload starts over: any sequence numbers
    expect(mirror.search('heart', { k: 10 }).map((h) => h.seq)).toEqual([1]);
  });
});
