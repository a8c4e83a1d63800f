import { availableParallelism } from 'node:os';
import { adaptiveSearch, compareScored, CompressedCorpus, createWasmScorer, searchCompressedCorpus } from 'colbert-web/node';
import type { ScoredDocument, Scorer } from 'colbert-web/node';
import type { IndexFileContents } from './index-file.js';

/** What searching an index file holds: the WASM scorer over its vectors and the corpus of its compressed segments. */
export interface FileSearcher {
  /** e.g. "wasm-relaxed-simd × 2" or "compressed (nbits 2, 4,096 centroids)". */
  readonly backend: string;
  score(query: { dim: number; rows: number; values: Float32Array }, options: { k: number; exact?: boolean; only?: Uint32Array }): Promise<ScoredDocument[]>;
  dispose(): void;
}

/**
 * Loads an index file's documents into what scores them, as the browser engine does: vectors into the WASM scorer,
 * compressed segments into one corpus (pruned search through the SDK's seam); results merged by score.
 */
export async function openFileSearcher(contents: IndexFileContents, threads = availableParallelism()): Promise<FileSearcher> {
  const { dim } = contents.identity.identity;
  let scorer: Scorer | undefined;
  if (contents.segments.length > 0 || !contents.tables) {
    const wasm = await createWasmScorer({ dim, precision: contents.identity.precision, threads });
    for (const s of contents.segments) await wasm.append({ tokens: s.tokens, lengths: s.lengths, seqs: s.seqs });
    scorer = wasm;
  }
  let corpus: CompressedCorpus | undefined;
  if (contents.tables) {
    corpus = CompressedCorpus.create(contents.tables.table, contents.tables.codec);
    for (const c of contents.coded) {
      const tokenStart = new Uint32Array(c.lengths.length + 1);
      c.lengths.forEach((l, i) => (tokenStart[i + 1] = tokenStart[i]! + l));
      corpus.appendCoded({ seqs: c.seqs, tokenStart, codes: c.codes, residuals: c.residuals });
    }
  }
  const parts = [scorer ? `${scorer.backend} × ${threads}` : '', corpus ? `compressed (nbits ${corpus.nbits}, ${corpus.centroidCount} centroids)` : ''];
  return {
    backend: parts.filter(Boolean).join(' + '),
    async score(query, { k, exact = false, only }) {
      const matrix = { precision: 'f32' as const, ...query };
      const vectors = scorer ? await scorer.score(matrix, { k, ...(only ? { only } : {}) }) : [];
      const coded = corpus ? (await adaptiveSearch((o) => searchCompressedCorpus(corpus, matrix, o), corpus, { k, exact, ...(only ? { only } : {}) })).hits : [];
      return [...vectors, ...coded].sort(compareScored).slice(0, k);
    },
    dispose() {
      scorer?.dispose();
    },
  };
}
