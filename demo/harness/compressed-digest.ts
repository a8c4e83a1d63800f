// Trains a compressed index on seeded synthetic vectors and hashes every table it produces, so that one runtime's
// result can be compared byte for byte with another's (e2e/compressed-determinism.spec.ts runs it in Node and in
// Chromium). Test code: not part of the demo.
import { compressCorpus } from '../../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { clusteredCorpus, type ClusteredCorpus } from '../../packages/colbert-web/src/testing/clustered-corpus.js';

export interface DigestOptions {
  seed: number;
  dim: number;
  documents: number;
  nbits: number;
}

/** The seeded corpus both runtimes train on. */
export function digestCorpus({ seed, dim, documents }: DigestOptions): ClusteredCorpus {
  return clusteredCorpus({ seed, dim, lengths: Array.from({ length: documents }, (_, i) => 5 + ((i * 11) % 50)), words: 2048, queries: 3 });
}

export async function sha256(view: ArrayBufferView): Promise<string> {
  const copy = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  const digest = await crypto.subtle.digest('SHA-256', copy);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of each table, plus sizes and a few raw values for a readable diff when they differ. */
export async function compressedDigests(options: DigestOptions): Promise<Record<string, string | number>> {
  const { seed, dim, nbits } = options;
  const corpus = compressCorpus(digestCorpus(options), dim, { nbits, seed });
  const { centroids, codec, codes, residuals } = corpus.tables();
  return {
    centroids: await sha256(centroids.centroids),
    coarse: await sha256(centroids.coarse),
    coarseStart: await sha256(centroids.coarseStart),
    cutoffs: await sha256(codec.cutoffs),
    weights: await sha256(codec.weights),
    codes: await sha256(codes),
    residuals: await sha256(residuals),
    centroidCount: corpus.centroidCount,
    tokens: corpus.tokens,
    firstCentroidValues: Array.from(centroids.centroids.subarray(0, 4)).join(','),
  };
}
