import type { StoredPrecision } from '../scoring/token-matrix.js';
import { ChunkType, fileHeader, frameChunk } from './index-file-format.js';
import type { FileSegment } from './index-file-segment.js';
import { encodeSegment } from './index-file-segment.js';
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

  /** Continue counting from a scanned prefix (resume). */
  constructor(resumeFrom?: FileTotals) {
    if (resumeFrom) this.counts = { ...resumeFrom };
  }

  /** Header + identity chunk: the first bytes of a new file. */
  start(identity: ModelIdentity, precision: StoredPrecision): Uint8Array {
    const chunk = frameChunk(ChunkType.identity, encoder.encode(JSON.stringify({ identity, precision })));
    const header = fileHeader();
    const out = new Uint8Array(header.length + chunk.length);
    out.set(header);
    out.set(chunk, header.length);
    return out;
  }

  segment(segment: FileSegment): Uint8Array {
    this.counts = { segments: this.counts.segments + 1, documents: this.counts.documents + segment.seqs.length, tokens: this.counts.tokens + segment.tokens.rows };
    return frameChunk(ChunkType.segment, encodeSegment(segment));
  }

  /** The end marker with the totals: the file is complete. */
  end(): Uint8Array {
    return frameChunk(ChunkType.end, encoder.encode(JSON.stringify(this.counts)));
  }

  get totals(): FileTotals {
    return this.counts;
  }
}
