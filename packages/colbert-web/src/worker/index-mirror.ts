import type { WebGpuScorer } from '../gpu/webgpu-scorer.js';
import type { Scorer } from '../scoring/scorer.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { IndexStore } from '../store/index-store.js';
import type { IndexStats, LoadedIndex } from '../store/store-reads.js';
import type { HeldIndex } from '../store/sync-plan.js';
import { inSegments } from '../store/sync-plan.js';
import { DocumentTable } from './document-table.js';
import { CompressedCorpora } from './compressed-corpora.js';
import { KeywordMirror } from './keyword-mirror.js';
import type { KeywordDocument } from './keyword-mirror.js';
import { ColbertError, ErrorCode } from '../errors.js';

/** Removed rows a scorer may keep, as a factor of the live ones, before a sync compacts it. */
const SCORER_SLACK = 1.25;

/** Makes an empty scorer for a stored precision: on the engine's backend, or on the CPU after a device loss. */
export type ScorerMaker = (options: { onCpu: boolean; precision: StoredPrecision }) => Promise<Scorer>;

/**
 * What this worker holds of one index — the scorer's vectors and the document table — and the manifest generation
 * they equal. Every change reaches it the same way, whoever committed it (this engine, another tab, another
 * worker): `sync()` reads what the manifest lists beyond what is held, so nothing depends on a notice arriving.
 */
export class IndexMirror {
  readonly table = new DocumentTable();
  /** The documents the store holds coded: searched by the compressed search, beside the scorer's. */
  readonly compressed = new CompressedCorpora();
  /** BM25 over the live documents' stored text, taken in with their records (keyword and hybrid searches). */
  readonly keyword = new KeywordMirror();
  private held: HeldIndex & { readonly stats: IndexStats };

  private constructor(
    private readonly store: IndexStore,
    private current: Scorer,
    private readonly makeScorer: ScorerMaker,
    empty: IndexStats,
  ) {
    this.held = { generation: -1, precision: store.precision, segments: [], stats: empty };
    this.placeCompressed();
  }

  /** A mirror filled with everything the store holds now. */
  static async open(store: IndexStore, makeScorer: ScorerMaker): Promise<IndexMirror> {
    const index = await store.load();
    const mirror = new IndexMirror(store, await makeScorer({ onCpu: false, precision: index.precision }), makeScorer, index.stats);
    await mirror.apply(index);
    return mirror;
  }

  get scorer(): Scorer {
    return this.current;
  }

  /** The manifest generation the scorer and the table equal. */
  get generation(): number {
    return this.held.generation;
  }

  get precision(): StoredPrecision {
    return this.held.precision;
  }

  /** Held segments not coded with the current tables, in a trained index (what compression has left to code). */
  get uncodedSegments(): number {
    const current = this.held.stats.tables;
    return current === null ? 0 : this.held.segments.filter((s) => s.tables !== current).length;
  }

  /** Documents, tokens and bytes of exactly what searches cover now. */
  get stats(): IndexStats {
    return this.held.stats;
  }

  /** Brings scorer and table up to the committed manifest, loading only what changed. */
  async sync(): Promise<void> {
    const changes = await this.store.loadChanges(this.held);
    if (changes.kind === 'unchanged') return;
    if (changes.kind === 'reload') return this.reload(changes.index);
    // Documents of vanished segments that no replacing segment holds are gone (purged by a compaction, cleared,
    // or replaced by an import), whether or not their tombstone was ever seen here.
    const gone: number[] = [];
    for (const seq of this.table.seqs()) if (inSegments(changes.vanished, seq) && !changes.survivors.has(seq)) gone.push(seq);
    this.current.remove(gone);
    this.compressed.remove(gone);
    this.keyword.remove(gone);
    this.table.deleteSeqs(gone);
    // Segments coded since (a conversion): their documents leave the scorer for the corpus of their tables.
    for (const batch of changes.recoded.coded) {
      this.current.remove(batch.seqs);
      this.compressed.remove(batch.seqs); // re-coded with new tables: out of the previous tables' corpus
      if (!this.compressed.append(batch, changes.recoded.tables)) return this.reload();
    }
    this.compressed.tidy();
    if (!(await this.apply(changes.index))) return this.reload();
    // The store freed the space of what vanished; the scorer does too once removed rows are a quarter of what it
    // holds (a compaction commits step by step: compacting the scorer at every step would cost O(corpus) each).
    if (changes.vanished.length > 0 && this.current.tokens > SCORER_SLACK * this.held.stats.tokens + 1024) await this.current.compact();
  }

  /** Replaces the scorer (on the CPU after a device loss) and the table with what the store holds now. */
  async reload(index?: LoadedIndex, { onCpu = this.current.backend !== 'webgpu' } = {}): Promise<void> {
    const loaded = index ?? (await this.store.load());
    // The loaded precision, not the old scorer's: an import (here or in another tab) brings its own.
    const fresh = await this.makeScorer({ onCpu, precision: loaded.precision });
    this.current.dispose();
    this.current = fresh;
    this.table.clear();
    this.compressed.clear();
    this.placeCompressed();
    this.keyword.clear();
    if (!(await this.apply(loaded))) throw new ColbertError(ErrorCode.IndexCorrupt, `Index "${this.store.name}": its compressed segments are not in sequence order. Compact it, or clear it and re-add the documents.`, { subject: this.store.name });
  }

  dispose(): void {
    this.compressed.placement.release();
    this.current.dispose();
  }

  /** Compressed corpora go where the scorer is: on the WebGPU scorer's device, else on the CPU. */
  private placeCompressed(): void {
    this.compressed.placement.use(this.current.backend === 'webgpu' ? (this.current as WebGpuScorer).device : undefined);
  }

  /**
   * Appends a load's batches (vectors to the scorer, codes to their corpus), names their documents, applies its
   * tombstones, and holds its generation. False when coded batches do not follow what a corpus holds.
   */
  private async apply(index: LoadedIndex): Promise<boolean> {
    const dead = new Set(index.tombstones);
    const texts: KeywordDocument[] = [];
    for (const batch of [...index.coded, ...index.batches]) {
      if ('tokens' in batch) await this.current.append(batch);
      else if (!this.compressed.append(batch, index.tables)) return false;
      const live = Array.from(batch.seqs).filter((s) => !dead.has(s));
      const docs = await this.store.documents(live);
      // A record read after the segments' snapshot can already be gone (a later remove or compaction): drop it now,
      // so the scorer never holds a live document the table does not know.
      const vanished: number[] = [];
      docs.forEach((d, i) => {
        if (!d) return void vanished.push(live[i]!);
        this.table.set(d.seq, d.id, d.metadata);
        texts.push(d);
      });
      this.current.remove(vanished);
      this.compressed.remove(vanished);
    }
    this.keyword.append(texts);
    this.current.remove(index.tombstones);
    this.compressed.remove(index.tombstones);
    this.keyword.remove(index.tombstones);
    this.keyword.settle();
    this.table.deleteSeqs(index.tombstones);
    this.held = { generation: index.generation, precision: index.precision, segments: index.segments, stats: index.stats };
    return true;
  }
}
