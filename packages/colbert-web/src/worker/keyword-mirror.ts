import { analyze } from '../scoring/keyword/english-analyzer.js';
import { KeywordIndex } from '../scoring/keyword/keyword-index.js';
import type { KeywordHit } from '../scoring/keyword/keyword-index.js';
import { segmentTerms } from '../scoring/keyword/segment-terms.js';

/** A document as the keyword index takes it: its sequence number and stored text (null: no text, no terms). */
export interface KeywordDocument {
  readonly seq: number;
  readonly text: string | null | undefined;
}

/**
 * The worker's BM25 index of one search index, kept in step by IndexMirror from the same reads that fill the
 * document table: the terms are derived from each document's stored text as its segment is taken in (so every
 * tab's adds, upserts, removes, compactions, clears and imports reach it exactly as they reach the vectors, and
 * an index file needs no terms of its own). Documents without text are held with no terms: never a keyword hit.
 * BM25's statistics (N, df, avgdl) are those of the live documents only: `settle()` after every sync drops what
 * was removed, so every tab scores an index state the same whatever its history (a tab that saw a document before
 * its removal and one opened after), and the scores equal a fresh index of the same documents.
 *
 * @example
 * const keyword = new KeywordMirror();
 * keyword.append([{ seq: 0, text: 'Aspirin lowers the risk of heart attack.' }]);
 * keyword.search('heart', { k: 10 }); // [{ seq: 0, score: … }]
 */
export class KeywordMirror {
  private index = new KeywordIndex();

  /** Live documents searchable by keyword. */
  get documents(): number {
    return this.index.documents;
  }

  /** Memory the in-memory postings take (see KeywordIndex.bytes). */
  get bytes(): number {
    return this.index.bytes;
  }

  /**
   * Takes in newly committed documents. Sequence numbers only grow (sync-plan.ts), so a sync's documents follow
   * everything held; they are sorted here because one sync may bring coded and vector segments in either order.
   */
  append(documents: readonly KeywordDocument[]): void {
    if (documents.length === 0) return;
    const sorted = [...documents].sort((a, b) => a.seq - b.seq);
    this.index.append(
      Uint32Array.from(sorted, (d) => d.seq),
      segmentTerms(sorted.map((d) => (d.text ? analyze(d.text) : []))),
    );
  }

  /** Marks documents removed (removed, replaced, or gone with their segment); unknown ones are ignored. */
  remove(seqs: ArrayLike<number>): void {
    for (const seq of Array.from(seqs)) this.index.remove(seq);
  }

  /**
   * Drops the removed documents from the postings and the statistics (one pass over the postings, only when a sync
   * removed something: removes are rare next to searches, and a search then never scores with stale N or df).
   */
  settle(): void {
    if (this.index.size > this.index.documents) this.index = this.index.compact();
  }

  clear(): void {
    this.index = new KeywordIndex(this.index.parameters);
  }

  /** BM25's best `k` documents sharing a term with `query` (among `only`, when given), best first. */
  search(query: string, options: { k: number; only?: Uint32Array }): KeywordHit[] {
    return this.index.search(analyze(query), options);
  }
}
