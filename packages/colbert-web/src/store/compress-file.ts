import { trainCompressionStreamed, type StreamedTrainOptions } from '../scoring/compressed/build-compressed.js';
import { codeRows, float32Rows, gatherRows } from './code-rows.js';
import type { FileCodedSegment, FileSegment } from './index-file-segment.js';
import type { FileTables } from './index-file-tables.js';

/**
 * The compressed form of a file's segments of vectors, exactly as a browser index of the same rows compresses
 * (the same streamed training over all rows in file order, the same seed, the same coding): the CLI's `--nbits`.
 * Only the sampled rows and one segment's float32 rows are held at a time. `kernels` run training's heavy steps
 * (the CLI passes `withTrainingKernels`'s WebAssembly ones; the tables are the same without).
 *
 * @example
 * const { tables, coded } = await compressFileSegments(segments, 96, 2);
 * const parts = [w.start(identity, 'int8', 1, 2), w.tables(tables), ...coded.map((s) => w.codedSegment(s, tables)), w.end()];
 */
export async function compressFileSegments(segments: readonly FileSegment[], dim: number, nbits: 2 | 4, options: Pick<StreamedTrainOptions, 'seed' | 'pause' | 'kernels'> = {}): Promise<{ tables: FileTables; coded: FileCodedSegment[] }> {
  const sizes = segments.map((s) => ({ tokens: s.tokens.rows }));
  const tokens = sizes.reduce((n, s) => n + s.tokens, 0);
  const trained = await trainCompressionStreamed((lists) => gatherRows(sizes, async (i) => float32Rows(segments[i]!.tokens), lists, dim), tokens, dim, { ...options, nbits, seed: options.seed ?? 0 });
  const coded = segments.map((s): FileCodedSegment => {
    const { tokens: _vectors, ...body } = s;
    return { ...body, ...codeRows(trained, float32Rows(s.tokens), s.lengths, s.seqs) };
  });
  return { tables: { ...trained, trainedTokens: tokens }, coded };
}
