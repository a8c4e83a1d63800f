import type { Metadata } from '../protocol/search-api.js';

interface Entry {
  readonly seq: number;
  readonly id: string;
  readonly metadata: Metadata | undefined;
}

/**
 * The live documents' ids and metadata, in the worker's memory: upserts find the sequence number an id
 * replaces, filters run over metadata without touching IndexedDB, and similarities() finds an id's vectors.
 */
export class DocumentTable {
  private readonly bySeq = new Map<number, Entry>();
  private readonly byId = new Map<string, number>();

  get size(): number {
    return this.bySeq.size;
  }

  /** Records a committed document; returns the sequence number it replaced, if any. */
  set(seq: number, id: string, metadata: Metadata | undefined): number | undefined {
    const replaced = this.byId.get(id);
    if (replaced !== undefined) this.bySeq.delete(replaced);
    this.bySeq.set(seq, { seq, id, metadata });
    this.byId.set(id, seq);
    return replaced;
  }

  /** Forgets ids; returns the sequence numbers they had. */
  delete(ids: readonly string[]): number[] {
    const seqs: number[] = [];
    for (const id of ids) {
      const seq = this.byId.get(id);
      if (seq === undefined) continue;
      this.byId.delete(id);
      this.bySeq.delete(seq);
      seqs.push(seq);
    }
    return seqs;
  }

  /** Forgets documents by sequence number (removed or replaced elsewhere). */
  deleteSeqs(seqs: ArrayLike<number>): void {
    for (const seq of Array.from(seqs)) {
      const entry = this.bySeq.get(seq);
      if (!entry) continue;
      this.bySeq.delete(seq);
      if (this.byId.get(entry.id) === seq) this.byId.delete(entry.id);
    }
  }

  /** Sequence numbers of the live documents. */
  seqs(): IterableIterator<number> {
    return this.bySeq.keys();
  }

  seqOf(id: string): number | undefined {
    return this.byId.get(id);
  }

  clear(): void {
    this.bySeq.clear();
    this.byId.clear();
  }

  /** Sequence numbers of live documents whose metadata passes `keep`, ascending. */
  matching(keep: (metadata: Metadata | undefined) => boolean): Uint32Array {
    const seqs: number[] = [];
    for (const entry of this.bySeq.values()) if (keep(entry.metadata)) seqs.push(entry.seq);
    return Uint32Array.from(seqs).sort();
  }
}
