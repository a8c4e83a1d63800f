import { describe, expect, it } from 'vitest';
import { clusteredCorpusStream } from './clustered-corpus.js';

// The chunked corpus the browser scale bench builds in its worker: any chunk made again gives the same bits, the
// chunks tile the corpus in order, and the words are shared (a query from one document lies near its tokens).
describe('clusteredCorpusStream', () => {
  const lengths = Array.from({ length: 25 }, (_, i) => 3 + ((i * 7) % 11));
  const stream = clusteredCorpusStream({ seed: 4, dim: 16, lengths, words: 64, topicWords: 8 }, 10);

  it('tiles the documents in chunks of 10, each made again bit for bit', () => {
    expect(stream.chunks).toBe(3);
    expect(stream.tokens).toBe(lengths.reduce((a, b) => a + b, 0));
    let row = 0;
    for (let i = 0; i < 3; i++) {
      const chunk = stream.chunk(i);
      expect(chunk.firstRow).toBe(row);
      expect(Array.from(chunk.lengths)).toEqual(lengths.slice(10 * i, 10 * i + 10));
      expect(Array.from(chunk.seqs)).toEqual(Array.from(chunk.lengths, (_, j) => 10 * i + j));
      expect(chunk.vectors.length).toBe(16 * chunk.lengths.reduce((a, b) => a + b, 0));
      expect(chunk.words.map((w) => w.length)).toEqual(Array.from(chunk.lengths));
      expect(stream.chunk(i).vectors).toEqual(chunk.vectors);
      row += chunk.vectors.length / 16;
    }
    expect(stream.chunk(1).vectors.subarray(0, 16)).not.toEqual(stream.chunk(2).vectors.subarray(0, 16)); // each chunk its own draws
  });

  it('draws unit tokens near their word, and queries from the same words', () => {
    const chunk = stream.chunk(2);
    const query = stream.query(chunk.words[0]!, 0);
    expect(query).toMatchObject({ precision: 'f32', dim: 16, rows: 32 });
    const dot = (a: Float32Array, i: number, b: Float32Array, j: number): number => a.subarray(16 * i, 16 * i + 16).reduce((s, x, d) => s + x * b[16 * j + d]!, 0);
    for (let t = 0; t < chunk.vectors.length / 16; t++) expect(dot(chunk.vectors, t, chunk.vectors, t)).toBeCloseTo(1, 5);
    // Every query token is a noisy copy of one of the document's words, so some token of the document is close.
    for (let q = 0; q < 32; q++) expect(Math.max(...chunk.words[0]!.map((_, t) => dot(query.values, q, chunk.vectors, t)))).toBeGreaterThan(0.9);
  });
});
