import { afterAll, describe, expect, it } from 'vitest';
import { residualBytes, type ResidualCodec } from '../scoring/compressed/residual-codec.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import { centroidCount } from '../scoring/compressed/train-centroids.js';
import { codedVectorBytes, tableBytes } from '../store/coded-segment.js';
import { seededRandom } from '../testing/random-corpus.js';
import { openStored, searchBytes, type StoredCoded } from '../testing/compressed-footprint.js';
import { createCompressedKernels, type CompressedKernels } from './compressed-kernels.js';

// Issue #14's memory goal: what a search holds (the kernels' whole WebAssembly memory + the corpus's JavaScript
// arrays) ≤ 1.15 × the bytes the store keeps (coded segments + tables record), for a SciFact-sized index (5,183
// documents of ~230 tokens, 1.2M tokens, PLAID's 16,384 centroids), opened segment by segment as the search worker
// opens it. Codes are drawn as trained codes fall (a document's tokens from its topic's words, a word's tokens
// mostly on its own centroid, some spread), so the inverted lists have a realistic size; residual bytes are a
// pattern (their values do not change any size). No training: the sizes do not depend on centroid values.

const DOCUMENTS = 5183;
const SEGMENT_TOKENS = 31_000;

function syntheticIndex(dim: number, nbits: number): { tables: { table: CentroidTable; codec: ResidualCodec }; stored: StoredCoded } {
  const random = seededRandom(dim * 10 + nbits);
  const lengths = Uint32Array.from({ length: DOCUMENTS }, () => Math.min(300, 20 + Math.floor(((random() + random() + random()) / 3) * 420)));
  const tokens = lengths.reduce((n, l) => n + l, 0);
  const k = centroidCount(tokens);
  const cells = 128;
  const table: CentroidTable = {
    dim,
    coarse: Float32Array.from({ length: cells * dim }, () => random() - 0.5),
    coarseStart: Uint32Array.from({ length: cells + 1 }, (_, j) => (j * k) / cells),
    centroids: Float32Array.from({ length: k * dim }, () => random() - 0.5),
  };
  const buckets = 1 << nbits;
  const codec: ResidualCodec = { dim, nbits, cutoffs: new Float32Array(dim * (buckets - 1)), weights: new Float32Array(dim * buckets) };
  const bytes = residualBytes(dim, nbits);
  const segments: StoredCoded['segments'] = [];
  let diskBytes = tableBytes({ table, codec });
  for (let doc = 0; doc < DOCUMENTS; ) {
    const first = doc;
    let rows = 0;
    while (doc < DOCUMENTS && (rows === 0 || rows + lengths[doc]! <= SEGMENT_TOKENS)) rows += lengths[doc++]!;
    const codes = new Uint32Array(rows);
    for (let d = first, t = 0; d < doc; d++) {
      const topic = Math.floor(random() * (k / 64));
      for (let i = 0; i < lengths[d]!; i++, t++) {
        const word = topic * 64 + Math.floor(random() * 64);
        codes[t] = random() < 0.7 ? word : Math.floor(random() * k);
      }
    }
    const residuals = new Uint8Array(rows * bytes);
    for (let i = 0; i < residuals.length; i++) residuals[i] = (i * 151) & 255;
    const segment = { seqs: Uint32Array.from({ length: doc - first }, (_, i) => first + i), lengths: lengths.slice(first, doc), codes, residuals };
    segments.push(segment);
    diskBytes += codedVectorBytes(segment);
  }
  return { tables: { table, codec }, stored: { segments, diskBytes } };
}

const kernels: CompressedKernels[] = [];
afterAll(() => kernels.forEach((k) => k.dispose()));

describe('search-time memory of a compressed index', () => {
  for (const [dim, nbits] of [[96, 2], [128, 4]] as const) {
    it(`d = ${dim}, nbits ${nbits}: at most 1.15 × its bytes on disk after a search (one copy)`, async () => {
      const { tables, stored } = syntheticIndex(dim, nbits);
      const corpus = openStored(tables, stored);
      expect(corpus.tokens).toBeGreaterThan(1_100_000);
      const search = await createCompressedKernels({ threads: 1 });
      kernels.push(search);
      const query = { precision: 'f32' as const, dim, rows: 32, values: tables.table.centroids.slice(0, 32 * dim) };
      const { hits } = await search.search(corpus, query, { k: 10 });
      expect(hits).toHaveLength(10);
      const held = searchBytes(corpus, search.memoryBytes);
      const ratio = held.total / stored.diskBytes;
      expect(ratio, JSON.stringify({ disk: stored.diskBytes, ...held })).toBeLessThanOrEqual(1.15);
      search.dispose();
    });
  }
});
