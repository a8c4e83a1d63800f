// The compressed index's WebAssembly kernels where the engine runs them, in a worker (this file's caller,
// compressed-kernels-worker.ts), with helper threads: the hashes of the tables trained with the k-means assignments
// on the kernels and of the codes they assign (compared with Node's TypeScript build by
// e2e/compressed-determinism.spec.ts), and searches compared with the float64 reference. Test code.
import { createCompressedKernels } from '../../packages/colbert-web/src/cpu/compressed-kernels.js';
import { trainCompressionWith } from '../../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { CompressedCorpus } from '../../packages/colbert-web/src/scoring/compressed/compressed-corpus.js';
import { referenceSearchCompressed } from '../../packages/colbert-web/src/scoring/compressed/reference-f64.js';
import { compressedRankingMismatch } from '../../packages/colbert-web/src/testing/ranking.js';
import { digestCorpus, sha256, type DigestOptions } from './compressed-digest.js';

export interface KernelCheckOptions extends DigestOptions {
  threads: number;
}

export interface KernelCheckResult {
  threads: number;
  crossOriginIsolated: boolean;
  centroids: string;
  coarse: string;
  cutoffs: string;
  weights: string;
  codes: string;
  residuals: string;
  searches: number;
  mismatches: string[];
}

export async function compressedKernelChecks(options: KernelCheckOptions): Promise<KernelCheckResult> {
  const { dim, nbits, seed } = options;
  const data = digestCorpus(options);
  const kernels = await createCompressedKernels({ threads: options.threads });
  try {
    const { table, codec } = await trainCompressionWith(data.vectors, dim, { nbits, seed, kernels });
    const codes = await kernels.assignCentroids(table, data.vectors);
    const corpus = CompressedCorpus.create(table, codec);
    corpus.append(data, codes);
    const mismatches: string[] = [];
    let searches = 0;
    for (const [i, query] of data.queries.entries()) {
      for (const settings of [{ k: 10 }, { k: 10, nprobe: 1, ndocs: 40 }, { k: 25, exact: true }]) {
        const { hits } = await kernels.search(corpus, query, settings);
        const problem = compressedRankingMismatch(hits, referenceSearchCompressed(corpus, query, settings));
        if (problem) mismatches.push(`query ${i} ${JSON.stringify(settings)}: ${problem}`);
        searches++;
      }
    }
    const tables = { centroids: await sha256(table.centroids), coarse: await sha256(table.coarse), cutoffs: await sha256(codec.cutoffs), weights: await sha256(codec.weights) };
    return { threads: kernels.threads, crossOriginIsolated, ...tables, codes: await sha256(corpus.codes), residuals: await sha256(corpus.residuals), searches, mismatches };
  } finally {
    kernels.dispose();
  }
}
