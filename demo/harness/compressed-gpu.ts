// The compressed index's WGSL search in the page, for e2e/compressed-gpu.spec.ts: a seeded clustered corpus is
// trained and coded, uploaded to the WebGPU adapter, searched in exact and pruned mode (with tombstones and an
// `only` filter) and compared with the float64 oracle. A test page, not part of the demo.
import { GpuContext } from '../../packages/colbert-web/src/gpu/context.js';
import { GpuCompressedCorpus } from '../../packages/colbert-web/src/gpu/compressed/compressed-corpus-gpu.js';
import { searchCompressedGpu } from '../../packages/colbert-web/src/gpu/compressed/search-compressed-gpu.js';
import { requestScorerDevice } from '../../packages/colbert-web/src/gpu/request-device.js';
import { compressCorpus } from '../../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import type { CompressedSearchOptions } from '../../packages/colbert-web/src/scoring/compressed/compressed-search.js';
import { referenceSearchCompressed } from '../../packages/colbert-web/src/scoring/compressed/reference-f64.js';
import { clusteredCorpus } from '../../packages/colbert-web/src/testing/clustered-corpus.js';
import { compressedRankingMismatch } from '../../packages/colbert-web/src/testing/ranking.js';

export interface CompressedGpuCase {
  seed: number;
  dim: number;
  nbits: number;
  documents: number;
}

export interface CompressedGpuResult {
  adapter: { vendor: string; architecture: string; description: string };
  /** One line per search whose hits differ from the reference. */
  mismatches: string[];
  /** Hits returned over all searches, and searches run. */
  hits: number;
  searches: number;
  /** Documents the GPU corpus held on the device, and its device bytes. */
  documents: number;
  bytes: number;
}

let device: Promise<GPUDevice> | undefined;

export async function compressedGpuCase(c: CompressedGpuCase): Promise<CompressedGpuResult> {
  device ??= requestScorerDevice();
  const gpuDevice = await device;
  const { vendor, architecture, description } = gpuDevice.adapterInfo;
  const context = new GpuContext(gpuDevice, { label: 'compressed harness' });
  try {
    const data = clusteredCorpus({ seed: c.seed, dim: c.dim, lengths: Array.from({ length: c.documents }, (_, i) => 3 + ((i * 13) % 45)), words: 1024, queries: 2 });
    const cpu = compressCorpus(data, c.dim, { nbits: c.nbits, seed: c.seed, centroids: 256 });
    cpu.remove([0, 5, 9]);
    const gpu = GpuCompressedCorpus.fromCorpus(context, cpu);
    const only = Uint32Array.from({ length: 20 }, (_, i) => i * 3);
    const mismatches: string[] = [];
    let hits = 0;
    let searches = 0;
    for (const [q, query] of data.queries.entries()) {
      for (const options of [{ k: 10, exact: true }, { k: 10 }, { k: 5, only }, { k: 5, exact: true, only }] as CompressedSearchOptions[]) {
        const result = await searchCompressedGpu(gpu, query, options);
        const mismatch = compressedRankingMismatch(result.hits, referenceSearchCompressed(cpu, query, options));
        if (mismatch) mismatches.push(`query ${q} ${JSON.stringify({ ...options, only: options.only ? 'yes' : 'no' })}: ${mismatch}`);
        hits += result.hits.length;
        searches++;
      }
    }
    return { adapter: { vendor, architecture, description }, mismatches, hits, searches, documents: gpu.documents, bytes: gpu.bytes };
  } finally {
    context.dispose();
  }
}
