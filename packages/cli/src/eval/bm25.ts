/**
 * BM25 as Lucene's BM25Similarity scores it (what Elasticsearch, BEIR's BM25 baseline and Pyserini run):
 *   score(q, d) = Σ over query terms t of idf(t) · tf / (tf + k1 · (1 − b + b · |d| / avgdl))
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 * with Lucene's (k1 + 1) numerator factor dropped as Lucene 8+ does (a constant, the ranking is unchanged).
 * A term repeated in the query counts once per occurrence, like repeated clauses of a Lucene boolean query.
 * Document length is the exact number of terms; Lucene rounds it to one byte (SmallFloat), a difference that
 * shows only in far decimals. Defaults k1 = 1.2, b = 0.75 are Elasticsearch's, used for BEIR's BM25 numbers.
 * Terms come from english-analyzer.ts.
 */
import { analyze } from './english-analyzer.js';
import type { EvalDocument, Ranker, Run } from './ranker.js';
import { topK } from './top-k.js';

export interface Bm25Options {
  /** Term-frequency saturation. Default 1.2. */
  readonly k1?: number;
  /** Length normalisation. Default 0.75. */
  readonly b?: number;
  /** Documents returned per query. Default 100. */
  readonly topK?: number;
}

/** An inverted index over a corpus, and the BM25 statistics derived from it. */
export class Bm25Index {
  /** term → [document index, term frequency, document index, term frequency, …] */
  private readonly postings = new Map<string, number[]>();
  private readonly lengths: Float64Array;
  private readonly averageLength: number;

  constructor(
    readonly documents: readonly EvalDocument[],
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {
    this.lengths = new Float64Array(documents.length);
    let total = 0;
    documents.forEach((doc, i) => {
      const counts = new Map<string, number>();
      const terms = analyze(doc.text);
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, tf] of counts) {
        let list = this.postings.get(term);
        if (!list) this.postings.set(term, (list = []));
        list.push(i, tf);
      }
      this.lengths[i] = terms.length;
      total += terms.length;
    });
    this.averageLength = documents.length > 0 ? total / documents.length : 0;
  }

  /** Lucene's BM25 idf of a term (0 for a term no document has: it then adds nothing). */
  idf(term: string): number {
    const df = (this.postings.get(term)?.length ?? 0) / 2;
    const n = this.documents.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** One BM25 score per document, in corpus order. */
  score(query: string): Float64Array {
    const scores = new Float64Array(this.documents.length);
    const { k1, b } = this;
    const avg = this.averageLength || 1;
    for (const term of analyze(query)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = this.idf(term);
      for (let p = 0; p < list.length; p += 2) {
        const doc = list[p]!;
        const tf = list[p + 1]!;
        scores[doc]! += (idf * tf) / (tf + k1 * (1 - b + (b * this.lengths[doc]!) / avg));
      }
    }
    return scores;
  }
}

/**
 * A BM25 ranker over `documents` (indexed once, here). Ties keep corpus order.
 *
 * @example
 * const rank = createBm25Ranker(documents, { k1: 0.9, b: 0.4 });
 * const run = await rank(queries);
 */
export function createBm25Ranker(documents: readonly EvalDocument[], options: Bm25Options = {}): Ranker {
  const index = new Bm25Index(documents, options.k1, options.b);
  const k = options.topK ?? 100;
  return (queries) => {
    const run: Run = new Map();
    for (const query of queries) run.set(query.id, topK(index.score(query.text), documents, k));
    return Promise.resolve(run);
  };
}
