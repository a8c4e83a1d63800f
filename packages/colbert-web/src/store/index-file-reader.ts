import type { StoredPrecision } from '../scoring/token-matrix.js';
import { storedPrecisions } from '../scoring/token-matrix.js';
import { ChunkType, checkHeader, HEADER_BYTES, invalidFile, readChunk } from './index-file-format.js';
import type { FileCodedSegment, FileSegment } from './index-file-segment.js';
import { decodeCodedSegment, decodeSegment } from './index-file-segment.js';
import type { FileTables } from './index-file-tables.js';
import { decodeTables } from './index-file-tables.js';
import type { ModelIdentity } from './model-identity.js';
import { parseIdentity } from './model-identity.js';

export interface FileIdentity {
  readonly identity: ModelIdentity;
  readonly precision: StoredPrecision;
  /** Token pooling factor of every document (1 when the file does not say: files written before pooling). */
  readonly poolFactor: number;
  /** Residual bits of a compressing index (version 2 files); absent: never compressed. */
  readonly nbits?: 2 | 4;
}

export interface FileTotals {
  readonly segments: number;
  readonly documents: number;
  readonly tokens: number;
}

/** What a reader yields, in file order: the identity first, then segments, then the end marker. */
export type FileItem =
  | ({ kind: 'identity' } & FileIdentity)
  | ({ kind: 'tables' } & FileTables)
  | { kind: 'coded-segment'; segment: FileCodedSegment }
  | { kind: 'segment'; segment: FileSegment }
  | ({ kind: 'end' } & FileTotals);

const decoder = new TextDecoder('utf-8', { fatal: true });

function json(payload: Uint8Array, what: string, offset: number): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(decoder.decode(payload));
    if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalidFile(`the ${what} chunk is not a JSON object`, offset);
}

/**
 * Parses an index file incrementally (bytes from a fetch body, a Blob stream or a file, in any slices) and
 * checks as it goes: order of chunks, checksums, every count against its chunk length, dims and precision
 * against the identity, strictly increasing seqs and unique ids across the file, totals at the end.
 *
 * @example
 * const reader = new IndexFileReader();
 * for await (const bytes of stream) for (const item of reader.push(bytes)) handle(item);
 * reader.finish(); // throws INDEX_FILE_INVALID if the file stopped before its end marker
 */
export class IndexFileReader {
  private pending: Uint8Array = new Uint8Array(0);
  /** File offset of pending[0]. */
  private offset = 0;
  private header = false;
  private version = 1;
  private identity: FileIdentity | undefined;
  private tables: FileTables | undefined;
  /** A SEGM was read: no CSEG may follow (coded documents precede the others). */
  private vectorsSeen = false;
  private ended = false;
  private lastSeq = -1;
  private readonly ids = new Set<string>();
  private counts = { segments: 0, documents: 0, tokens: 0 };

  /** Bytes consumed so far (complete chunks). */
  get position(): number {
    return this.offset;
  }

  /** Segments, documents and tokens read so far. */
  get totals(): FileTotals {
    return this.counts;
  }

  /** Feeds bytes; returns the items they completed. */
  push(bytes: Uint8Array): FileItem[] {
    this.pending = this.pending.length === 0 ? bytes : concat(this.pending, bytes);
    const items: FileItem[] = [];
    let at = 0;
    if (!this.header) {
      if (this.pending.length < HEADER_BYTES) return items;
      this.version = checkHeader(this.pending);
      this.header = true;
      at = HEADER_BYTES;
    }
    for (;;) {
      const read = readChunk(this.pending, at, this.offset + at);
      if (read.kind === 'short') break;
      if (this.ended) throw invalidFile('data follows the end marker', this.offset + at);
      items.push(this.item(read.type, read.payload, this.offset + at));
      at = read.next;
    }
    this.pending = this.pending.subarray(at);
    this.offset += at;
    return items;
  }

  /** The file is over: throws unless it was complete (header, identity, end marker, nothing left over). */
  finish(): FileTotals {
    if (!this.header) throw invalidFile(`the file is ${this.pending.length} bytes, shorter than its header`);
    if (this.pending.length > 0) throw invalidFile(`the file is truncated: ${this.pending.length} bytes of an incomplete chunk at the end`, this.offset);
    if (!this.ended) throw invalidFile('the file is truncated: it stops before its end marker (an interrupted build? rerun it to resume)', this.offset);
    return this.counts;
  }

  private item(type: number, payload: Uint8Array, offset: number): FileItem {
    if (!this.identity) {
      if (type !== ChunkType.identity) throw invalidFile('the first chunk is not the model identity', offset);
      const v = json(payload, 'identity', offset);
      const identity = parseIdentity(v['identity'], (why) => invalidFile(why, offset));
      const precision = v['precision'] as StoredPrecision;
      if (!storedPrecisions.includes(precision)) throw invalidFile(`unknown precision ${String(precision)}`, offset);
      const poolFactor = v['poolFactor'] ?? 1;
      if (!Number.isSafeInteger(poolFactor) || (poolFactor as number) < 1) throw invalidFile(`invalid poolFactor ${String(poolFactor)}`, offset);
      const nbits = v['nbits'];
      if (nbits !== undefined && (this.version < 2 || (nbits !== 2 && nbits !== 4))) throw invalidFile(`invalid nbits ${String(nbits)} in a version ${this.version} file`, offset);
      this.identity = { identity, precision, poolFactor: poolFactor as number, ...(nbits === undefined ? {} : { nbits: nbits as 2 | 4 }) };
      return { kind: 'identity', ...this.identity };
    }
    if (type === ChunkType.tables) {
      const nbits = this.identity.nbits;
      if (nbits === undefined || this.tables || this.counts.segments > 0) throw invalidFile('compression tables where none may be (no nbits, a second table, or after a segment)', offset);
      this.tables = decodeTables(payload, { dim: this.identity.identity.dim, nbits }, offset);
      return { kind: 'tables', ...this.tables };
    }
    if (type === ChunkType.codedSegment) {
      const tables = this.tables;
      if (!tables || this.vectorsSeen) throw invalidFile('a compressed segment without tables before it, or after a segment of vectors', offset);
      const { table, codec } = tables;
      const segment = decodeCodedSegment(payload, { dim: table.dim, nbits: codec.nbits, centroids: table.centroids.length / table.dim, pooled: this.identity.poolFactor > 1 }, offset);
      this.accept(segment, segment.codes.length, offset);
      return { kind: 'coded-segment', segment };
    }
    if (type === ChunkType.segment) {
      const segment = decodeSegment(payload, { dim: this.identity.identity.dim, precision: this.identity.precision, pooled: this.identity.poolFactor > 1 }, offset);
      this.accept(segment, segment.tokens.rows, offset);
      this.vectorsSeen = true;
      return { kind: 'segment', segment };
    }
    if (type === ChunkType.end) {
      const v = json(payload, 'end', offset);
      const c = this.counts;
      if (v['segments'] !== c.segments || v['documents'] !== c.documents || v['tokens'] !== c.tokens) {
        throw invalidFile(`the end marker's totals do not match the file (${JSON.stringify(v)} vs ${JSON.stringify(c)})`, offset);
      }
      this.ended = true;
      return { kind: 'end', ...c };
    }
    if (type === ChunkType.identity) throw invalidFile('a second identity chunk', offset);
    throw invalidFile(`unknown chunk type 0x${type.toString(16)}`, offset);
  }

  /** Checks a segment's seqs and ids against the file so far and counts it. */
  private accept(segment: Pick<FileSegment, 'seqs' | 'documents'>, rows: number, offset: number): void {
    if (segment.seqs[0]! <= this.lastSeq) throw invalidFile('sequence numbers are not increasing across segments', offset);
    this.lastSeq = segment.seqs[segment.seqs.length - 1]!;
    for (const d of segment.documents) {
      if (this.ids.has(d.id)) throw invalidFile(`document id "${d.id}" appears twice`, offset);
      this.ids.add(d.id);
    }
    this.counts = { segments: this.counts.segments + 1, documents: this.counts.documents + segment.seqs.length, tokens: this.counts.tokens + rows };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** What a resumable build found in an existing file. */
export interface ScanResult {
  /** Bytes of the valid prefix: truncate the file to this before appending. */
  readonly validLength: number;
  readonly identity: FileIdentity | undefined;
  readonly complete: boolean;
  readonly totals: FileTotals;
  /** Ids in file order (to check a resumed corpus lines up). */
  readonly ids: readonly string[];
  readonly lastSeq: number;
}

/**
 * Reads an existing file for resuming: the longest valid prefix of whole chunks. A torn or damaged tail (a
 * crash mid-append) ends the prefix instead of failing; a bad header still throws (not our file).
 *
 * @example
 * const scan = scanIndexFile(await readFile('site.cwi')); await truncate('site.cwi', scan.validLength);
 */
export function scanIndexFile(bytes: Uint8Array): ScanResult {
  const reader = new IndexFileReader();
  checkHeader(bytes);
  const ids: string[] = [];
  let identity: FileIdentity | undefined;
  let complete = false;
  let at = HEADER_BYTES;
  let lastSeq = -1;
  reader.push(bytes.subarray(0, HEADER_BYTES));
  while (at < bytes.length && !complete) {
    let read;
    try {
      read = readChunk(bytes, at);
      if (read.kind === 'short') break;
      for (const item of reader.push(bytes.subarray(at, read.next))) {
        if (item.kind === 'identity') identity = item;
        if (item.kind === 'segment' || item.kind === 'coded-segment') {
          item.segment.documents.forEach((d) => ids.push(d.id));
          lastSeq = item.segment.seqs[item.segment.seqs.length - 1]!;
        }
        if (item.kind === 'end') complete = true;
      }
    } catch {
      break;
    }
    at = read.next;
  }
  const totals = { segments: reader.totals.segments, documents: ids.length, tokens: reader.totals.tokens };
  return { validLength: at, identity, complete, totals, ids, lastSeq };
}
