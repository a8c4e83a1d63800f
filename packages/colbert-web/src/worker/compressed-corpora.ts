import { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import { adaptiveSearch } from '../scoring/compressed/adaptive-search.js';
import { compressedMatches } from '../scoring/compressed/compressed-matches.js';
import type { ScoredDocument, TokenMatch } from '../scoring/scorer.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import type { GpuQuery } from '../gpu/query-buffers.js';
import type { CodedBatch, SharedTables } from '../store/coded-segment.js';
import { CompressedPlacement } from './compressed-placement.js';

/** Tombstoned documents a corpus may keep, as a factor of the live ones, before it is compacted in memory. */
const CORPUS_SLACK = 1.25;

/** How the last compressed search went (what `info().lastSearch` reports). */
export interface CompressedSearchReport {
  readonly pruned: boolean;
  /** Documents the probed centroids' lists gave (every live one when exact). */
  readonly candidates: number;
  /** Documents scored on their decoded tokens. */
  readonly scored: number;
}

/**
 * The compressed part of what a worker holds of an index: one corpus per tables record (one, or two while a
 * re-training is being applied), each appended in sequence-number order, as the store codes segments oldest first.
 * `placement` keeps a copy of each on the WebGPU scorer's device when there is one, and searches where they are.
 */
export class CompressedCorpora {
  readonly placement = new CompressedPlacement();
  private readonly corpora = new Map<number, CompressedCorpus>();

  /** Live documents over all corpora. */
  get documents(): number {
    let n = 0;
    for (const c of this.corpora.values()) n += c.documents;
    return n;
  }

  /** In-memory bytes of everything a compressed search reads (codes, residuals, lists, offsets, shared tables). */
  get bytes(): number {
    let n = 0;
    for (const c of this.corpora.values()) n += c.bytes;
    return n;
  }

  /** Fine centroids of the newest tables (0 when nothing is compressed). */
  get centroids(): number {
    const newest = [...this.corpora.keys()].sort((a, b) => b - a)[0];
    return newest === undefined ? 0 : this.corpora.get(newest)!.centroidCount;
  }

  /**
   * Appends a stored coded segment to the corpus of its tables. False when its sequence numbers do not follow what
   * that corpus holds (the caller reloads everything then).
   */
  append(batch: CodedBatch, tables: ReadonlyMap<number, SharedTables>): boolean {
    let corpus = this.corpora.get(batch.tables);
    if (!corpus) {
      const shared = tables.get(batch.tables)!;
      corpus = CompressedCorpus.create(shared.table, shared.codec);
      this.corpora.set(batch.tables, corpus);
    }
    const last = corpus.size === 0 ? -1 : corpus.seqs[corpus.size - 1]!;
    if (batch.seqs[0]! <= last) return false;
    corpus.appendCoded(batch);
    this.placement.appended(corpus, batch);
    return true;
  }

  remove(seqs: ArrayLike<number>): void {
    for (const c of this.corpora.values()) {
      c.remove(seqs);
      this.placement.removed(c, seqs);
    }
  }

  /** Drops emptied corpora and compacts those mostly made of removed documents. */
  tidy(): void {
    for (const [id, c] of this.corpora) {
      if (c.documents === 0) {
        this.corpora.delete(id);
        this.placement.dropped(c);
      } else if (c.size > CORPUS_SLACK * c.documents + 64) {
        const fresh = c.compact();
        this.corpora.set(id, fresh);
        this.placement.replaced(c, fresh);
      } else continue;
      c.close(); // frees its columns where they are (the kernels' memory, so they are not copied back out)
    }
  }

  clear(): void {
    for (const c of this.corpora.values()) c.close();
    this.corpora.clear();
    this.placement.clear();
  }

  /** The top k over every corpus (merged by score, then sequence number), and how the search went. */
  async search(query: F32TokenMatrix | GpuQuery, options: { k: number; exact?: boolean; only?: Uint32Array; signal?: AbortSignal }): Promise<{ hits: ScoredDocument[]; report: CompressedSearchReport }> {
    const hits: ScoredDocument[] = [];
    let report = { pruned: false, candidates: 0, scored: 0 };
    for (const corpus of this.corpora.values()) {
      if (corpus.documents === 0) continue;
      const result = await adaptiveSearch((o) => this.placement.search(corpus, query, o), corpus, options);
      hits.push(...result.hits);
      report = { pruned: report.pruned || result.pruned, candidates: report.candidates + result.candidates, scored: report.scored + result.scored };
    }
    return { hits, report };
  }

  /** The explanation of a compressed hit (see `compressedMatches`); undefined when no corpus holds `seq` live. */
  matches(seq: number, query: F32TokenMatrix): TokenMatch[] | undefined {
    for (const corpus of this.corpora.values()) {
      const at = corpus.positionOf(seq);
      if (at >= 0 && corpus.liveDocuments[at] === 1) return compressedMatches(corpus, at, query);
    }
    return undefined;
  }
}
