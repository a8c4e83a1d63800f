import { ensureCapacity } from './growable.js';

/**
 * Centroid → the documents (positions in the corpus, ascending, each once) with at least one token coded by it.
 * Appends only ever add higher positions, so a list stays sorted and a repeat is its last element.
 */
export class InvertedLists {
  private readonly lists: Uint32Array[];
  private readonly lengths: Uint32Array;

  constructor(centroids: number) {
    this.lists = Array.from({ length: centroids }, () => new Uint32Array(0));
    this.lengths = new Uint32Array(centroids);
  }

  /** Records that document `doc` has a token coded `centroid` (docs in non-decreasing order). */
  add(centroid: number, doc: number): void {
    const used = this.lengths[centroid]!;
    let list = this.lists[centroid]!;
    if (used > 0 && list[used - 1] === doc) return;
    list = ensureCapacity(list, used, used + 1);
    list[used] = doc;
    this.lists[centroid] = list;
    this.lengths[centroid] = used + 1;
  }

  /** The documents of one centroid (a view, valid until the next `add`). */
  cell(centroid: number): Uint32Array {
    return this.lists[centroid]!.subarray(0, this.lengths[centroid]!);
  }

  /** Sum of the list lengths. */
  get entries(): number {
    return this.lengths.reduce((n, length) => n + length, 0);
  }

  /** Bytes the lists allocate, room for appends included. */
  get allocatedBytes(): number {
    return this.lists.reduce((n, list) => n + list.byteLength, this.lengths.byteLength);
  }

  /** Bytes of the list entries (capacity left for appends not counted). */
  get bytes(): number {
    return 4 * this.entries;
  }
}
