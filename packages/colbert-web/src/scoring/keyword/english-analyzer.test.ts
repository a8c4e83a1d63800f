import { describe, expect, test } from 'vitest';
import { analyze, analyzeSpans } from './english-analyzer.js';

describe('analyzeSpans', () => {
  test("each term's [start, end) is its word in the original text, possessive and case included", () => {
    const text = "The Cat's 2.5-fold RISE, don't";
    expect(analyzeSpans(text)).toEqual([
      { term: 'cat', start: 4, end: 9 },
      { term: '2.5', start: 10, end: 13 },
      { term: 'fold', start: 14, end: 18 },
      { term: 'rise', start: 19, end: 23 },
      { term: "don't", start: 25, end: 30 },
    ]);
    expect(text.slice(4, 9)).toBe("Cat's");
  });

  test('offsets stay in the original text when lowercasing changes its length (U+0130)', () => {
    // 'İ'.toLowerCase() is two UTF-16 units: offsets computed on the lowercased text would drift by one.
    const spans = analyzeSpans('İİ heart');
    expect(spans.at(-1)).toEqual({ term: 'heart', start: 3, end: 8 });
  });

  test('analyze is the spans’ terms', () => {
    const text = 'Mice eat the cheeses of the mice';
    expect(analyze(text)).toEqual(analyzeSpans(text).map((t) => t.term));
    expect(analyze(text)).toEqual(['mice', 'eat', 'chees', 'mice']);
  });
});
