// The compressed index's latency curve where issue #14 states its goal: in a worker (cross-origin isolated, so
// the kernels get helper threads), on a clustered corpus of SciFact's document lengths made chunk by chunk
// (clusteredCorpusStream: 10M tokens of float32 would be 5 GB) and built as the engine builds it: every chunk
// stored as int8 (the exact scan's corpus, held as the store holds segments), the tables trained by the streamed
// trainer on the seeded sample's int8 rows read back as float32 (heavy steps on the WASM kernels), every chunk's
// int8 rows read back, assigned on the WASM kernel and coded. Then pruned searches on the WASM kernels interleaved
// with the exact int8 scan (the WASM MaxSim scorer) of the same int8 rows.
// Run by bench/compressed-scale-browser.ts. Test code: not part of the demo.
import { createCompressedKernels } from '../../packages/colbert-web/src/cpu/compressed-kernels.js';
import { createWasmScorer } from '../../packages/colbert-web/src/cpu/wasm-scorer.js';
import { heldOutSample, trainCompressionStreamed } from '../../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { CompressedCorpus } from '../../packages/colbert-web/src/scoring/compressed/compressed-corpus.js';
import { centroidCount, trainingSample } from '../../packages/colbert-web/src/scoring/compressed/train-centroids.js';
import { storeTokens, type F32TokenMatrix, type TokenMatrix } from '../../packages/colbert-web/src/scoring/token-matrix.js';
import { float32Rows } from '../../packages/colbert-web/src/store/code-rows.js';
import { clusteredCorpusStream } from '../../packages/colbert-web/src/testing/clustered-corpus.js';
import { seededRandom } from '../../packages/colbert-web/src/testing/random-corpus.js';

export interface ScaleOptions {
  /** Document lengths (SciFact's, repeated to the size wanted). */
  lengths: number[];
  dim: number;
  nbits: number;
  queries: number;
  threads: number;
  /** Documents per generated chunk. */
  chunkDocuments: number;
  k: number;
}

export interface ScaleRow {
  tokens: number;
  documents: number;
  centroids: number;
  bytesPerToken: number;
  threads: { kernels: number; scorer: number };
  crossOriginIsolated: boolean;
  /** Making the float32 chunks and storing them as int8 (what adds cost; not build time). */
  generateMs: number;
  int8AppendMs: number;
  trainMs: number;
  /** Assignment on the WASM kernel plus residual coding, every chunk. */
  codeMs: number;
  assignMs: number;
  firstSearchMs: number;
  exactMs: number[];
  prunedMs: number[];
  candidates: number[];
  top10Overlap: number;
}

/** Builds one corpus of `lengths` and measures it (see the file's comment). */
export async function compressedScaleBench(options: ScaleOptions): Promise<ScaleRow> {
  const { dim, nbits, k, threads } = options;
  const stream = clusteredCorpusStream({ seed: 1, dim, lengths: options.lengths, words: 32_768 }, options.chunkDocuments);
  const { tokens } = stream;
  const sample = trainingSample(tokens, centroidCount(tokens), 0);
  const heldOut = heldOutSample(tokens, 0);
  const lists = [sample, heldOut];
  const gathered = lists.map((list) => new Float32Array(list.length * dim));
  const next = [0, 0];
  const random = seededRandom(99);
  const sources = Array.from({ length: options.queries }, () => Math.floor(random() * options.lengths.length));
  const sourceWords = new Map<number, number[]>();

  // The adds: every chunk as int8 (kept, and in the exact scan's scorer); the sample's rows and the query
  // documents' words on the way.
  const scorer = await createWasmScorer({ dim, precision: 'int8', threads });
  const stored: Array<{ tokens: TokenMatrix; lengths: Uint32Array; seqs: Uint32Array }> = [];
  let generateMs = 0;
  let int8AppendMs = 0;
  for (let i = 0; i < stream.chunks; i++) {
    let started = performance.now();
    const chunk = stream.chunk(i);
    const segment = { tokens: storeTokens(chunk.vectors, dim, 'int8'), lengths: chunk.lengths, seqs: chunk.seqs };
    stored.push(segment);
    const rows = float32Rows(segment.tokens);
    generateMs += performance.now() - started;
    started = performance.now();
    await scorer.append(segment);
    int8AppendMs += performance.now() - started;
    const end = chunk.firstRow + chunk.vectors.length / dim;
    lists.forEach((list, l) => {
      for (; next[l]! < list.length && list[next[l]!]! < end; next[l]!++) {
        const row = list[next[l]!]! - chunk.firstRow;
        gathered[l]!.set(rows.subarray(row * dim, (row + 1) * dim), next[l]! * dim);
      }
    });
    chunk.seqs.forEach((seq, j) => sources.includes(seq) && sourceWords.set(seq, chunk.words[j]!));
  }
  const queries: F32TokenMatrix[] = sources.map((seq, q) => stream.query(sourceWords.get(seq)!, q));

  // Training, as the engine trains: the streamed trainer on the sampled rows, its heavy steps on the WASM kernels.
  const kernels = await createCompressedKernels({ threads });
  let started = performance.now();
  const { table, codec } = await trainCompressionStreamed(async (asked) => {
    if (asked.some((list, l) => list.length !== lists[l]!.length || list.some((row, i) => row !== lists[l]![i]))) throw new Error('the trainer asked for other rows than the ones gathered');
    return gathered;
  }, tokens, dim, { nbits, kernels });
  const trainMs = performance.now() - started;

  // Coding: every stored chunk's int8 rows read back as float32, assigned on the WASM kernel and coded.
  const corpus = CompressedCorpus.create(table, codec);
  let codeMs = 0;
  let assignMs = 0;
  for (const segment of stored.splice(0)) {
    started = performance.now();
    const vectors = float32Rows(segment.tokens);
    const assignStarted = performance.now();
    const codes = await kernels.assignCentroids(table, vectors);
    assignMs += performance.now() - assignStarted;
    corpus.append({ vectors, lengths: segment.lengths, seqs: segment.seqs }, codes);
    codeMs += performance.now() - started;
  }

  started = performance.now();
  await kernels.search(corpus, queries[0]!, { k });
  const firstSearchMs = performance.now() - started;
  // Interleaved query by query, so a shared machine's drifting load weighs on both alike.
  const exactMs: number[] = [];
  const prunedMs: number[] = [];
  const candidates: number[] = [];
  let overlap = 0;
  for (const query of queries) {
    started = performance.now();
    const exact = new Set((await scorer.score(query, { k })).map((h) => h.seq));
    exactMs.push(performance.now() - started);
    started = performance.now();
    const pruned = await kernels.search(corpus, query, { k });
    prunedMs.push(performance.now() - started);
    candidates.push(pruned.candidates);
    overlap += pruned.hits.filter((h) => exact.has(h.seq)).length / k;
  }
  const row: ScaleRow = {
    tokens,
    documents: options.lengths.length,
    centroids: corpus.centroidCount,
    bytesPerToken: corpus.bytes / tokens,
    threads: { kernels: kernels.threads, scorer: scorer.threads },
    crossOriginIsolated,
    generateMs,
    int8AppendMs,
    trainMs,
    codeMs,
    assignMs,
    firstSearchMs,
    exactMs,
    prunedMs,
    candidates,
    top10Overlap: overlap / queries.length,
  };
  kernels.dispose();
  scorer.dispose();
  return row;
}
