import { ColbertError, ErrorCode } from '../../errors.js';
import { ensureCapacity } from '../compressed/growable.js';
import { sortedPosition } from '../sorted-position.js';
import type { SegmentTerms } from './segment-terms.js';

/** BM25's two knobs; the defaults are Elasticsearch's (what BEIR's BM25 baseline ran). */
export interface Bm25Parameters {
  /** Term-frequency saturation. */
  readonly k1: number;
  /** Length normalisation. */
  readonly b: number;
}

export const BM25_DEFAULTS: Bm25Parameters = { k1: 1.2, b: 0.75 };

export interface KeywordHit {
  seq: number;
  score: number;
}

interface Postings {
  /** (document position, term frequency) pairs, positions ascending. */
  entries: Uint32Array;
  used: number;
}

/**
 * An incremental BM25 inverted index over documents named by sequence number (strictly increasing as they are
 * added, as the vector store assigns them), scored as Lucene's BM25Similarity scores:
 *   score(q, d) = Σ over query terms t of idf(t) · tf / (tf + k1 · (1 − b + b · |d| / avgdl)),
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)).
 * A term repeated in the query counts once per occurrence. Like Lucene between merges, N, df and avgdl count
 * removed documents until `compact()` drops them; a removed document is never returned.
 *
 * @example
 * const index = new KeywordIndex();
 * index.append(Uint32Array.of(1, 2), segmentTerms([analyze('cats chase mice'), analyze('mice eat cheese')]));
 * index.search(analyze('cheese'), { k: 10 }); // [{ seq: 2, score: … }]
 */
export class KeywordIndex {
  private readonly termIds = new Map<string, number>();
  private readonly postings: Postings[] = [];
  private seqList = new Uint32Array(16);
  private lengths = new Uint32Array(16);
  private live = new Uint8Array(16);
  private count = 0;
  private liveCount = 0;
  private totalLength = 0;

  constructor(readonly parameters: Bm25Parameters = BM25_DEFAULTS) {}

  /** Documents held, removed ones included until compaction (BM25's N). */
  get size(): number {
    return this.count;
  }

  /** Documents a search can return. */
  get documents(): number {
    return this.liveCount;
  }

  /** Distinct terms in the dictionary. */
  get terms(): number {
    return this.postings.length;
  }

  /** Memory held: postings (8 bytes per document × distinct term), per-document arrays and the dictionary's UTF-16. */
  get bytes(): number {
    let bytes = this.seqList.byteLength + this.lengths.byteLength + this.live.byteLength;
    for (const p of this.postings) bytes += p.entries.byteLength;
    for (const term of this.termIds.keys()) bytes += 2 * term.length + 16;
    return bytes;
  }

  /** Appends documents `seqs[i]` with the analysed terms of document i of `terms`. */
  append(seqs: Uint32Array, terms: SegmentTerms): void {
    const n = seqs.length;
    if (terms.starts.length !== n + 1) throw new ColbertError(ErrorCode.InvalidInput, `keyword terms: ${terms.starts.length - 1} documents for ${n} sequence numbers.`, { subject: 'terms' });
    for (let i = 0; i < n; i++) {
      const previous = this.count + i === 0 ? -1 : i === 0 ? this.seqList[this.count - 1]! : seqs[i - 1]!;
      if (seqs[i]! <= previous) throw new ColbertError(ErrorCode.InvalidInput, `keyword index: sequence number ${seqs[i]} does not follow ${previous}.`, { subject: 'seqs' });
    }
    const ids = terms.dictionary.map((term) => this.termId(term));
    this.seqList = ensureCapacity(this.seqList, this.count, this.count + n);
    this.lengths = ensureCapacity(this.lengths, this.count, this.count + n);
    this.live = ensureCapacity(this.live, this.count, this.count + n);
    for (let i = 0; i < n; i++) {
      const position = this.count + i;
      let length = 0;
      for (let e = terms.starts[i]!; e < terms.starts[i + 1]!; e++) {
        const tf = terms.pairs[2 * e + 1]!;
        const list = this.postings[ids[terms.pairs[2 * e]!]!]!;
        list.entries = ensureCapacity(list.entries, list.used, list.used + 2);
        list.entries[list.used++] = position;
        list.entries[list.used++] = tf;
        length += tf;
      }
      this.seqList[position] = seqs[i]!;
      this.lengths[position] = length;
      this.live[position] = 1;
      this.totalLength += length;
    }
    this.count += n;
    this.liveCount += n;
  }

  /** Tombstones a document; false when it is not held or already removed. */
  remove(seq: number): boolean {
    const at = this.positionOf(seq);
    if (at < 0 || this.live[at] === 0) return false;
    this.live[at] = 0;
    this.liveCount--;
    return true;
  }

  /** The same index without removed documents (their terms no longer count in N, df and avgdl). */
  compact(): KeywordIndex {
    const out = new KeywordIndex(this.parameters);
    const remap = new Int32Array(this.count).fill(-1);
    const survivors = Uint32Array.from(this.live.keys()).filter((d) => d < this.count && this.live[d] === 1);
    survivors.forEach((d, i) => (remap[d] = i));
    out.seqList = Uint32Array.from(survivors, (d) => this.seqList[d]!);
    out.lengths = Uint32Array.from(survivors, (d) => this.lengths[d]!);
    out.live = new Uint8Array(survivors.length).fill(1);
    for (const length of out.lengths) out.totalLength += length;
    out.count = out.liveCount = survivors.length;
    for (const [term, id] of this.termIds) {
      const { entries, used } = this.postings[id]!;
      const kept: number[] = [];
      for (let p = 0; p < used; p += 2) if (remap[entries[p]!]! >= 0) kept.push(remap[entries[p]!]!, entries[p + 1]!);
      if (kept.length === 0) continue;
      const list = out.postings[out.termId(term)]!;
      list.entries = Uint32Array.from(kept);
      list.used = kept.length;
    }
    return out;
  }

  /** Lucene's BM25 idf of a term (0 for a term no document has: it then adds nothing). */
  idf(term: string): number {
    const id = this.termIds.get(term);
    const df = id === undefined ? 0 : this.postings[id]!.used / 2;
    return Math.log(1 + (this.count - df + 0.5) / (df + 0.5));
  }

  /** One BM25 score per held document, in position order (removed documents included: callers mask them). */
  score(query: readonly string[]): Float64Array {
    const scores = new Float64Array(this.count);
    const { k1, b } = this.parameters;
    const average = this.count > 0 && this.totalLength > 0 ? this.totalLength / this.count : 1;
    for (const term of query) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const { entries, used } = this.postings[id]!;
      const idf = this.idf(term);
      for (let p = 0; p < used; p += 2) {
        const d = entries[p]!;
        const tf = entries[p + 1]!;
        scores[d]! += (idf * tf) / (tf + k1 * (1 - b + (b * this.lengths[d]!) / average));
      }
    }
    return scores;
  }

  /**
   * The best `k` live documents that share a term with the query (score > 0), best first, ties by sequence number.
   * `only`: sequence numbers allowed (a metadata filter, applied before top-k).
   */
  search(query: readonly string[], options: { k: number; only?: Uint32Array }): KeywordHit[] {
    const scores = this.score(query);
    let allowed: Uint8Array = this.live;
    if (options.only) {
      allowed = new Uint8Array(this.count);
      for (const seq of options.only) {
        const at = this.positionOf(seq);
        if (at >= 0) allowed[at] = this.live[at]!;
      }
    }
    const hits: KeywordHit[] = [];
    for (let d = 0; d < this.count; d++) if (allowed[d] === 1 && scores[d]! > 0) hits.push({ seq: this.seqList[d]!, score: scores[d]! });
    hits.sort((x, y) => y.score - x.score || x.seq - y.seq);
    return hits.slice(0, Math.max(0, Math.floor(options.k)));
  }

  /** Position of `seq` (positions are in sequence order), or −1. */
  positionOf(seq: number): number {
    return sortedPosition(this.seqList, this.count, seq);
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.postings.push({ entries: new Uint32Array(2), used: 0 }) - 1;
      this.termIds.set(term, id);
    }
    return id;
  }
}
