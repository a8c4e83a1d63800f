import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import { allowedMask, type CompressedSearchOptions, type CompressedSearchResult } from '../scoring/compressed/compressed-search.js';
import { pruningDefaults } from '../scoring/compressed/search-defaults.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import { bestIndices } from './best-indices.js';
import type { CompressedMirror } from './compressed-mirror.js';
import { JOB, type KernelRunner } from './compressed-runner.js';

/** Where `probe` leaves the length of its list (field 12 of the job block). */
const PROBED_COUNT = JOB + 48;

const align = (bytes: number): number => (bytes + 15) & ~15;

/** Regions of one search in the runner's scratch (byte addresses). */
function layoutScratch(runner: KernelRunner, corpus: CompressedCorpus, padded: number, nprobe: number): Record<string, number> {
  const k = corpus.centroidCount;
  const sizes = {
    query: 4 * padded * corpus.dim,
    transposed: 4 * padded * corpus.dim,
    scores: 4 * k * padded,
    cmax: 4 * k,
    table: 4 * corpus.residualBytes * 256 * padded,
    topScore: 4 * padded * nprobe,
    topId: 4 * padded * nprobe,
    thresholds: 4 * padded,
    probed: k,
    list: 4 * padded * nprobe,
    docs: 4 * corpus.size,
    out: 8 * corpus.size,
    best: runner.threads * 4 * padded,
  };
  const total = Object.values(sizes).reduce((sum, bytes) => sum + align(bytes), 0);
  let at = runner.scratchAt(total);
  const regions: Record<string, number> = {};
  for (const [name, bytes] of Object.entries(sizes)) {
    regions[name] = at;
    at += align(bytes);
  }
  return regions;
}

/**
 * `searchCompressed` on the WebAssembly kernels (same stages, same defaults, same result type): S = Q·Cᵀ and
 * the residual tables on every thread, probing on this one, candidates from the corpus's inverted lists, the
 * approximate stages and the exact stage (residuals decoded in the kernel) on every thread. Stage cuts select
 * by score, then position, as the TypeScript search does.
 */
export async function searchCompressedWasm(runner: KernelRunner, corpus: CompressedCorpus, query: F32TokenMatrix, options: CompressedSearchOptions): Promise<CompressedSearchResult> {
  if (query.dim !== corpus.dim) throw new ColbertError(ErrorCode.InvalidInput, `query: dim ${query.dim} differs from the index's ${corpus.dim}.`, { subject: 'query' });
  return runner.withCorpus(corpus, (mirror) => searchLaidOut(runner, mirror, query, options));
}

async function searchLaidOut(runner: KernelRunner, mirror: CompressedMirror, query: F32TokenMatrix, options: CompressedSearchOptions): Promise<CompressedSearchResult> {
  const { corpus } = mirror;
  const k = Math.max(0, Math.floor(options.k));
  const allowed = allowedMask(corpus, options.only);
  const { dim, rows } = query;
  const groups = Math.max(1, Math.ceil(rows / 4));
  const padded = 4 * groups;
  const centroids = corpus.centroidCount;
  const defaults = pruningDefaults(k, corpus.documents);
  const nprobe = Math.min(centroids, Math.max(1, options.nprobe ?? defaults.nprobe));
  const ndocs = Math.max(k, options.ndocs ?? defaults.ndocs);
  const { arena } = runner;
  const at = layoutScratch(runner, corpus, padded, nprobe);

  const q = arena.f32(at.query!, padded * dim);
  q.fill(0);
  q.set(query.values.subarray(0, rows * dim));
  const qt = arena.f32(at.transposed!, padded * dim);
  qt.fill(0);
  for (let r = 0; r < rows; r++) for (let i = 0; i < dim; i++) qt[i * padded + r] = query.values[r * dim + i]!;
  await runner.run('residualTable', [0, 1, 0, at.transposed!, groups, dim, corpus.nbits, mirror.weights, at.table!]);
  const chunk = Math.max(1, Math.min(64, Math.ceil(centroids / (runner.threads * 32))));
  await runner.run('centroidScores', [0, chunk, 0, at.query!, groups, dim, mirror.centroidsAt, centroids, at.scores!, rows, at.cmax!]);

  const exactStage = async (count: number): Promise<Float64Array> => {
    const chunkDocs = Math.max(1, Math.min(16, Math.ceil(count / (runner.threads * 8))));
    await runner.run('exactScores', [0, chunkDocs, 0, at.docs!, count, mirror.tokenStart, mirror.codes, at.scores!, groups, rows, mirror.residuals, corpus.residualBytes, at.table!, mirror.centroidsAt, mirror.decode, dim, corpus.nbits, at.best!, 4 * padded, at.out!]);
    return arena.f64(at.out!, count);
  };
  const finish = async (count: number, candidates: number, pruned: boolean): Promise<CompressedSearchResult> => {
    const scores = (await exactStage(count)).slice();
    const docs = arena.u32(at.docs!, count).slice();
    const order = Uint32Array.from(bestIndices(scores, k)).sort((a, b) => scores[b]! - scores[a]! || docs[a]! - docs[b]!);
    return { hits: Array.from(order, (i) => ({ seq: corpus.seqs[docs[i]!]!, score: scores[i]! })), pruned, candidates, scored: count };
  };

  if (options.exact) {
    const docs = arena.u32(at.docs!, corpus.size);
    let count = 0;
    for (let d = 0; d < corpus.size; d++) if (allowed[d] === 1) docs[count++] = d;
    return finish(count, count, false);
  }

  arena.bytes.fill(0, at.probed!, at.probed! + centroids);
  await runner.run('probe', [0, 0, 0, at.scores!, groups, rows, centroids, nprobe, at.topScore!, at.topId!, at.probed!, at.list!, 0, at.thresholds!], false);
  const probedCount = arena.u32(PROBED_COUNT, 1)[0]!;
  const probed = arena.u32(at.list!, probedCount).slice();
  const docs = arena.u32(at.docs!, corpus.size);
  const seen = new Uint8Array(corpus.size);
  let count = 0;
  for (const c of probed) {
    for (const d of corpus.cell(c)) {
      if (allowed[d] === 1 && seen[d] === 0) {
        seen[d] = 1;
        docs[count++] = d;
      }
    }
  }
  docs.subarray(0, count).sort();
  const candidates = count;
  throwIfAborted(options.signal);

  const approximate = async (prune: boolean, keep: number): Promise<void> => {
    const chunkDocs = Math.max(1, Math.min(64, Math.ceil(count / (runner.threads * 16))));
    await runner.run('approximateScores', [0, chunkDocs, 0, at.docs!, count, mirror.tokenStart, mirror.codes, at.scores!, groups, at.cmax!, 0, prune ? 1 : 0, at.out!, rows], true, { 10: options.centroidThreshold ?? defaults.centroidThreshold });
    const kept = bestIndices(arena.f64(at.out!, count), keep);
    const list = arena.u32(at.docs!, count);
    for (const [j, i] of kept.entries()) list[j] = list[i]!;
    count = kept.length;
  };
  await approximate(true, ndocs);
  await approximate(false, Math.max(k, Math.ceil(ndocs / 4)));
  throwIfAborted(options.signal);
  return finish(count, candidates, true);
}
