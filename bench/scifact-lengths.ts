/**
 * Token lengths with SciFact's spread, for the scorer benchmarks: per document, the word count of title + text
 * × 1.3 (wordpiece tokens per word in English prose) + 3 ([CLS], the [D] marker, [SEP]), capped at 300 (the
 * document length answerai-colbert-small-v1 is used with). 5,183 documents, ≈1.2M tokens.
 */
import { scifactDocuments } from './corpus.js';

export function scifactTokenLengths(limit = 5183): number[] {
  return scifactDocuments(limit).map((text) => Math.min(300, Math.round(text.split(/\s+/).filter(Boolean).length * 1.3) + 3));
}
