/** Payload bytes per block of a list's chain. */
const BLOCK = 28;
/** No next block. */
const END = 0xffffffff;

/**
 * Centroid → the documents (positions in the corpus, ascending, each once) with at least one token coded by it.
 * Appends only ever add higher positions, so a list stays sorted and a repeat is its last element.
 *
 * Held compactly, since the lists are the one search structure a compressed index does not store: each list is a
 * chain of 28-byte blocks in one shared pool (no object per list), holding the gaps between its positions as
 * LEB128 varints (1 byte for a gap under 128, the usual case). Reading a list decodes it.
 */
export class InvertedLists {
  private pool = new Uint8Array(0);
  private next = new Uint32Array(0);
  private blocks = 0;
  private readonly head: Uint32Array;
  private readonly tail: Uint32Array;
  /** Bytes used in each list's tail block. */
  private readonly fill: Uint8Array;
  /** Last position of each list, plus one (0: empty). */
  private readonly after: Uint32Array;
  private readonly lengths: Uint32Array;

  constructor(centroids: number) {
    this.head = new Uint32Array(centroids).fill(END);
    this.tail = new Uint32Array(centroids).fill(END);
    this.fill = new Uint8Array(centroids);
    this.after = new Uint32Array(centroids);
    this.lengths = new Uint32Array(centroids);
  }

  /** Records that document `doc` has a token coded `centroid` (docs in non-decreasing order). */
  add(centroid: number, doc: number): void {
    const from = this.after[centroid]!;
    if (from === doc + 1) return;
    let gap = doc - from;
    while (gap >= 0x80) {
      this.push(centroid, (gap & 0x7f) | 0x80);
      gap >>>= 7;
    }
    this.push(centroid, gap);
    this.after[centroid] = doc + 1;
    this.lengths[centroid]!++;
  }

  /** The documents of one centroid (decoded afresh). */
  cell(centroid: number): Uint32Array {
    const out = new Uint32Array(this.lengths[centroid]!);
    const last = this.tail[centroid]!;
    let block = this.head[centroid]!;
    let doc = 0;
    let gap = 0;
    let shift = 0;
    let n = 0;
    while (block !== END) {
      const end = block === last ? this.fill[centroid]! : BLOCK;
      for (let i = block * BLOCK; i < block * BLOCK + end; i++) {
        const byte = this.pool[i]!;
        gap += (byte & 0x7f) * 2 ** shift;
        if (byte & 0x80) shift += 7;
        else {
          doc += gap;
          out[n++] = doc;
          doc++;
          gap = 0;
          shift = 0;
        }
      }
      block = block === last ? END : this.next[block]!;
    }
    return out;
  }

  /** Sum of the list lengths. */
  get entries(): number {
    return this.lengths.reduce((n, length) => n + length, 0);
  }

  /** Bytes the lists allocate: the block pool (room for appends included) and the per-centroid heads. */
  get allocatedBytes(): number {
    return this.pool.byteLength + this.next.byteLength + this.head.byteLength + this.tail.byteLength + this.fill.byteLength + this.after.byteLength + this.lengths.byteLength;
  }

  /** Bytes of the blocks in use and the per-centroid heads. */
  get bytes(): number {
    return this.blocks * (BLOCK + 4) + this.head.length * 17;
  }

  private push(centroid: number, byte: number): void {
    let block = this.tail[centroid]!;
    if (block === END || this.fill[centroid] === BLOCK) {
      const fresh = this.allocate();
      if (block === END) this.head[centroid] = fresh;
      else this.next[block] = fresh;
      this.tail[centroid] = block = fresh;
      this.fill[centroid] = 0;
    }
    this.pool[block * BLOCK + this.fill[centroid]!] = byte;
    this.fill[centroid]!++;
  }

  private allocate(): number {
    if (this.blocks === this.next.length) {
      // Grown by an eighth: the pool is corpus-sized, so doubling would leave up to as much again unused.
      const room = Math.max(64, this.blocks + (this.blocks >>> 3));
      const pool = new Uint8Array(room * BLOCK);
      pool.set(this.pool);
      const next = new Uint32Array(room);
      next.set(this.next);
      this.pool = pool;
      this.next = next;
    }
    return this.blocks++;
  }
}
