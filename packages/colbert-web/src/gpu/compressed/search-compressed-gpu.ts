import { ColbertError, ErrorCode, throwIfAborted } from '../../errors.js';
import type { CompressedSearchOptions, CompressedSearchResult } from '../../scoring/compressed/compressed-search.js';
import { pruningDefaults } from '../../scoring/compressed/search-defaults.js';
import { compareScored, type ScoredDocument } from '../../scoring/scorer.js';
import type { F32TokenMatrix } from '../../scoring/token-matrix.js';
import { assertUsable, gpuFailure } from '../device-failure.js';
import { encodeTopK, type TopKOutput } from '../kernels/topk.js';
import { queryFromGpu, uploadQuery, type GpuQuery, type QueryBuffers } from '../query-buffers.js';
import { Scratch } from '../scratch.js';
import { validateGpuQuery, validateQuery } from '../validate.js';
import { encodeCentroidScores } from './centroid-scores.js';
import type { GpuCompressedCorpus } from './compressed-corpus-gpu.js';
import { DECODE_QUERY_BLOCK, encodeExactMaxSim } from './decompress-maxsim.js';
import { encodeCandidates, encodeMark } from './prune.js';

/** Scores at or below this are the kernels' NONE (a filler of a selection that had fewer candidates than places). */
const NONE_BELOW = -1e38;

/** How many documents each stage keeps, from the options as `searchCompressed` reads them. */
function stageSizes(k: number, live: number, allowed: number, options: CompressedSearchOptions): { nprobe: number; threshold: number; ndocs: number; stage2: number; stage3: number } {
  const defaults = pruningDefaults(k, live);
  const ndocs = Math.max(k, options.ndocs ?? defaults.ndocs);
  const stage2 = Math.min(ndocs, allowed);
  return {
    nprobe: Math.max(1, options.nprobe ?? defaults.nprobe),
    threshold: options.centroidThreshold ?? defaults.centroidThreshold,
    ndocs,
    stage2,
    stage3: Math.min(Math.max(k, Math.ceil(ndocs / 4)), stage2),
  };
}

/**
 * The PLAID-style search of `searchCompressed` on the GPU, with the same stages, defaults, ties (score, then
 * sequence number) and result: S = Q·Cᵀ, each query token's `nprobe` best centroids, candidates and their two
 * approximate scores, the best `ndocs` by the pruned approximation, the best max(k, ndocs / 4) of those by the
 * full one, exact MaxSim on their residuals decoded in the kernel, top k. `exact: true` scores every live (and
 * `only`-allowed) document exactly. Everything runs in one submission; only the k hits and one count are read back.
 *
 * Candidate selection stays on the GPU because each selection is a radix select over one score per document
 * (topk.wgsl) that needs no count known in advance: documents that are not candidates score below every real
 * score, so a selection of n from the allowed documents takes every candidate first, and the fillers are dropped
 * at the end. The query may be float32 rows on the CPU or a `GpuQuery` already on the corpus's device.
 *
 * @example
 * const gpuCorpus = GpuCompressedCorpus.fromCorpus(new GpuContext(device), corpus);
 * const { hits, candidates, scored } = await searchCompressedGpu(gpuCorpus, query, { k: 10 });
 */
export async function searchCompressedGpu(corpus: GpuCompressedCorpus, query: F32TokenMatrix | GpuQuery, options: CompressedSearchOptions): Promise<CompressedSearchResult> {
  const { context } = corpus;
  assertUsable(context, 'The GPU context of this compressed corpus was disposed.');
  const onDevice = 'buffer' in query;
  if (onDevice) validateGpuQuery(query, corpus.dim);
  else validateQuery(query, corpus.dim);
  const { k } = options;
  if (!Number.isInteger(k) || k < 0) throw new ColbertError(ErrorCode.InvalidInput, `k must be a non-negative integer (got ${k}).`, { subject: 'k' });
  throwIfAborted(options.signal);
  const exact = options.exact === true;
  const filter = corpus.allowedBits(options.only);
  const sizes = stageSizes(k, corpus.documents, filter.count, options);
  const take = Math.min(k, exact ? filter.count : sizes.stage3);
  if (take === 0) return { hits: [], pruned: !exact, candidates: exact ? filter.count : 0, scored: exact ? filter.count : 0 };

  const scratch = new Scratch(context);
  try {
    const { live, seqs } = corpus.prepare();
    const slots = corpus.size;
    const storage = GPUBufferUsage.STORAGE;
    const encoder = context.device.createCommandEncoder({ label: 'colbert-web compressed search' });
    const q: QueryBuffers = onDevice ? queryFromGpu(encoder, context, scratch, query, 'f32', DECODE_QUERY_BLOCK) : uploadQuery(scratch, query, 'f32', DECODE_QUERY_BLOCK);
    const allowed = scratch.upload(filter.bits, storage, 'compressed allowed');
    const select = (scores: GPUBuffer, among: GPUBuffer, count: number, n: number, rank: boolean): TopKOutput =>
      encodeTopK(encoder, { context, scratch, scores, live, allowed: among, useFilter: true, seqs, slots, take: n, selectAll: n === count, rank });
    let out: TopKOutput;
    let candidates: GPUBuffer | undefined;
    if (exact) {
      const scores = encodeExactMaxSim(encoder, { context, scratch, corpus, query: q, allowed, approximate: undefined, slots });
      out = select(scores, allowed, filter.count, take, true);
    } else {
      const centroids = encodeCentroidScores(encoder, { context, scratch, corpus, query: q, threshold: sizes.threshold });
      const approximate = encodeCandidates(encoder, { context, scratch, corpus, query: q, centroids }, { nprobe: sizes.nprobe, allowed, slots });
      candidates = approximate.candidates;
      const stage2 = encodeMark(encoder, context, scratch, select(approximate.stage2, allowed, filter.count, sizes.stage2, false).buffer, sizes.stage2, slots);
      const stage3 = encodeMark(encoder, context, scratch, select(approximate.stage3, stage2, sizes.stage2, sizes.stage3, false).buffer, sizes.stage3, slots);
      const scores = encodeExactMaxSim(encoder, { context, scratch, corpus, query: q, allowed: stage3, approximate: approximate.stage3, slots });
      out = select(scores, stage3, sizes.stage3, take, true);
    }
    throwIfAborted(options.signal);
    context.device.queue.submit([encoder.finish()]);
    const [pairs, count] = await Promise.all([
      context.readBack(out.buffer, 0, take * 8, 'compressed top k'),
      candidates ? context.readBack(candidates, 0, 4, 'candidate count') : Promise.resolve(undefined),
    ]);
    throwIfAborted(options.signal);
    const words = new Uint32Array(pairs);
    const floats = new Float32Array(pairs);
    const hits: ScoredDocument[] = [];
    for (let i = 0; i < take; i++) {
      if (floats[2 * i + 1]! <= NONE_BELOW) continue;
      hits.push({ seq: out.ordered ? words[2 * i]! : corpus.seqOf(words[2 * i]!), score: floats[2 * i + 1]! });
    }
    if (!out.ordered) hits.sort(compareScored);
    if (exact) return { hits, pruned: false, candidates: filter.count, scored: filter.count };
    const found = new Uint32Array(count!)[0]!;
    return { hits, pruned: true, candidates: found, scored: Math.min(sizes.stage3, found) };
  } catch (cause) {
    throw await gpuFailure(context, cause);
  } finally {
    scratch.release();
  }
}
