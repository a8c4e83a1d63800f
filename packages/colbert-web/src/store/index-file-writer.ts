import type { StoredPrecision } from '../scoring/token-matrix.js';
import { ChunkType, fileHeader, frameChunk } from './index-file-format.js';
import type { FileCodedSegment, FileSegment } from './index-file-segment.js';
import { encodeCodedSegment, encodeSegment } from './index-file-segment.js';
import type { FileTables } from './index-file-tables.js';
import { encodeTables } from './index-file-tables.js';
import type { FileTotals } from './index-file-reader.js';
import type { ModelIdentity } from './model-identity.js';

const encoder = new TextEncoder();

/**
 * Builds an index file as a list of byte parts (header, identity, segments, end), so a browser can hand them to
 * `new Blob(parts)` and Node can append them to a file one by one (a build resumes after the last whole chunk).
 *
 * @example
 * const w = new IndexFileWriter();
 * const parts = [w.start(identity, 'int8'), w.segment(seg), w.end()];
 */
export class IndexFileWriter {
  private counts = { segments: 0, documents: 0, tokens: 0 };
  private pooled: boolean;

  /** Continue counting from a scanned prefix (resume), whose identity says whether it pools. */
  constructor(resumeFrom?: FileTotals & { poolFactor: number }) {
    this.pooled = (resumeFrom?.poolFactor ?? 1) > 1;
    if (resumeFrom) this.counts = { segments: resumeFrom.segments, documents: resumeFrom.documents, tokens: resumeFrom.tokens };
  }

  /**
   * Header + identity chunk: the first bytes of a new file. `poolFactor` 1 is left out, as files before pooling; a
   * file with `nbits` is version 2, one without is version 1 as before compression.
   */
  start(identity: ModelIdentity, precision: StoredPrecision, poolFactor = 1, nbits?: 2 | 4): Uint8Array {
    this.pooled = poolFactor > 1;
    const chunk = frameChunk(ChunkType.identity, encoder.encode(JSON.stringify({ identity, precision, ...(this.pooled ? { poolFactor } : {}), ...(nbits ? { nbits } : {}) })));
    const header = fileHeader(nbits ? 2 : 1);
    const out = new Uint8Array(header.length + chunk.length);
    out.set(header);
    out.set(chunk, header.length);
    return out;
  }

  segment(segment: FileSegment): Uint8Array {
    this.count(segment, segment.tokens.rows);
    if ((segment.tokenRows !== undefined) !== this.pooled) throw new RangeError('IndexFileWriter: a segment must carry tokenRows exactly when the file pools tokens.');
    return frameChunk(ChunkType.segment, encodeSegment(segment));
  }

  /** The compression tables (version 2 files, after `start` and before any segment). */
  tables(tables: FileTables): Uint8Array {
    return frameChunk(ChunkType.tables, encodeTables(tables));
  }

  /** A compressed segment coded with the file's tables (before every segment of vectors). */
  codedSegment(segment: FileCodedSegment, tables: Pick<FileTables, 'codec'>): Uint8Array {
    this.count(segment, segment.codes.length);
    if ((segment.tokenRows !== undefined) !== this.pooled) throw new RangeError('IndexFileWriter: a segment must carry tokenRows exactly when the file pools tokens.');
    return frameChunk(ChunkType.codedSegment, encodeCodedSegment(segment, tables.codec.dim, tables.codec.nbits));
  }

  private count(segment: { seqs: Uint32Array }, rows: number): void {
    this.counts = { segments: this.counts.segments + 1, documents: this.counts.documents + segment.seqs.length, tokens: this.counts.tokens + rows };
  }

  /** The end marker with the totals: the file is complete. */
  end(): Uint8Array {
    return frameChunk(ChunkType.end, encoder.encode(JSON.stringify(this.counts)));
  }

  get totals(): FileTotals {
    return this.counts;
  }
}
