import { describe, expect, it } from 'vitest';
import { InvertedLists } from './inverted-lists.js';
import { seededRandom } from '../../testing/random-corpus.js';

describe('InvertedLists', () => {
  it('gives every centroid its documents, ascending and each once, across blocks and multi-byte gaps', () => {
    const centroids = 50;
    const lists = new InvertedLists(centroids);
    const expected: number[][] = Array.from({ length: centroids }, () => []);
    const random = seededRandom(7);
    // Gaps from 0 to ~2^21 (1- to 4-byte varints) and repeats of the same document.
    for (let doc = 0, step = 0; step < 3000; step++) {
      doc += step % 97 === 0 ? Math.floor(random() * 2_000_000) : Math.floor(random() * 3);
      for (let t = 0; t < 4; t++) {
        const c = step % 11 === 0 ? 3 : Math.floor(random() * centroids);
        lists.add(c, doc);
        const list = expected[c]!;
        if (list[list.length - 1] !== doc) list.push(doc);
      }
    }
    for (let c = 0; c < centroids; c++) expect(Array.from(lists.cell(c))).toEqual(expected[c]);
    expect(lists.entries).toBe(expected.reduce((n, l) => n + l.length, 0));
    expect(expected[3]!.length).toBeGreaterThan(300); // a long chain of blocks
    expect(Array.from(new InvertedLists(4).cell(2))).toEqual([]);
  });

  it('holds a typical corpus in well under 4 bytes an entry', () => {
    const lists = new InvertedLists(1024);
    const random = seededRandom(3);
    for (let doc = 0; doc < 5000; doc++) for (let t = 0; t < 40; t++) lists.add(Math.floor(random() * 1024), doc);
    expect(lists.entries).toBeGreaterThan(150_000);
    expect(lists.allocatedBytes / lists.entries).toBeLessThan(2);
  });
});
