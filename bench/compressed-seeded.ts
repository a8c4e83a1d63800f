/**
 * The compressed, pruned index with a model whose vectors are diffuse: a seeded model of answerai-colbert-small-v1's
 * shape (real config, tokenizer and 1_Dense, BERT weights seeded; d = 96; onnxruntime-node) on the SciFact subset of
 * bench/pooling.ts (every document relevant to the first `--queries` test queries plus a seeded sample of the
 * others, `--docs` in all). The lexical model (bench/compressed-scifact.ts) has near-orthogonal word-piece vectors,
 * the easy case for centroids; random weights give the hard one. With random weights nDCG means nothing, so the
 * numbers that count are the top-10 agreements, all in the same run:
 *  - pruned vs `exact` on the same compressed index (the pruning's loss; goal ≥ 0.99),
 *  - compressed (exact) vs the uncompressed int8 scan (the codec's loss),
 *  - pruned vs the int8 scan (both together).
 * Searches run on the WebAssembly kernels through `adaptiveSearch` (as the engine and the CLI run them), and
 * without its widening (PLAID's fixed nprobe) in the same run; the peer is the int8 WASM scorer.
 *
 *   npx tsx bench/compressed-seeded.ts [--queries 100] [--docs 800] [--nbits 2,4] [--threads 2]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePreset } from '@colbert-web/fixtures';
import { createWasmScorer, loadNodeEncoder, memoryFiles } from 'colbert-web/node';
import { createCompressedKernels } from '../packages/colbert-web/src/cpu/compressed-kernels.js';
import { adaptiveSearch } from '../packages/colbert-web/src/scoring/compressed/adaptive-search.js';
import { compressCorpus } from '../packages/colbert-web/src/scoring/compressed/build-compressed.js';
import { storeTokens, type F32TokenMatrix } from '../packages/colbert-web/src/scoring/token-matrix.js';
import { queriesToEvaluate, readCorpus, readQrels, readQueries } from '../packages/cli/src/eval/beir-files.js';
import { evaluateRun } from '../packages/cli/src/eval/metrics.js';
import type { EvalDocument, Run } from '../packages/cli/src/eval/ranker.js';
import { SHARED } from './corpus.js';
import { scifactSubset, topTenAgreement } from './pooling-subset.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '100' },
    docs: { type: 'string', default: '800' },
    nbits: { type: 'string', default: '2,4' },
    threads: { type: 'string', default: '2' },
  },
});
const threads = Number(values.threads);
const k = 10;
const scifact = join(SHARED, 'data/scifact');
const all: EvalDocument[] = [];
for await (const d of readCorpus(join(scifact, 'corpus.jsonl.gz'))) all.push(d);
const allQrels = await readQrels(join(scifact, 'qrels'), 'test');
const subset = scifactSubset(all, queriesToEvaluate(allQrels, await readQueries(join(scifact, 'queries.jsonl.gz'))), allQrels, Number(values.queries), Number(values.docs));

/** Encoded once per subset and cached under bench/.cache (the encoding takes minutes on 2 cores). */
interface Encoded {
  dim: number;
  lengths: number[];
  vectors: Float32Array;
  queries: F32TokenMatrix[];
  encodeMs: number;
}

async function encodeSubset(): Promise<Encoded> {
  const encoder = await loadNodeEncoder(memoryFiles(generatePreset('answerai-small')), { backend: 'native', threads });
  const started = performance.now();
  const docs = [];
  for (let i = 0; i < subset.documents.length; i += 64) {
    docs.push(...(await encoder.encode(subset.documents.slice(i, i + 64).map((d) => ({ text: d.text, kind: 'document' as const })), { longDocuments: 'truncate' })));
    process.stderr.write(`\rencoded ${docs.length}/${subset.documents.length}`);
  }
  process.stderr.write('\n');
  const encodeMs = performance.now() - started;
  const queries: F32TokenMatrix[] = (await encoder.encode(subset.queries.map((q) => ({ text: q.text, kind: 'query' as const })))).map((e) => ({ precision: 'f32', dim: e.dim, rows: e.rows, values: e.vectors }));
  await encoder.close();
  const dim = docs[0]!.dim;
  const vectors = new Float32Array(docs.reduce((n, e) => n + e.rows, 0) * dim);
  for (let d = 0, row = 0; d < docs.length; row += docs[d]!.rows, d++) vectors.set(docs[d]!.vectors, row * dim);
  return { dim, lengths: docs.map((e) => e.rows), vectors, queries, encodeMs };
}

async function cachedEncoding(): Promise<Encoded> {
  const base = join(import.meta.dirname, '.cache', `seeded-answerai-small-${values.queries}q-${values.docs}d`);
  const floats = (path: string): Float32Array => {
    const bytes = readFileSync(path);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  if (existsSync(`${base}.json`)) {
    const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { dim: number; lengths: number[]; queryRows: number[]; encodeMs: number };
    const queryValues = floats(`${base}.queries.f32`);
    let at = 0;
    const queries = meta.queryRows.map((rows): F32TokenMatrix => {
      const values = queryValues.slice(at, (at += rows * meta.dim));
      return { precision: 'f32', dim: meta.dim, rows, values };
    });
    return { dim: meta.dim, lengths: meta.lengths, vectors: floats(`${base}.documents.f32`), queries, encodeMs: meta.encodeMs };
  }
  const encoded = await encodeSubset();
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.documents.f32`, new Uint8Array(encoded.vectors.buffer));
  const queryValues = new Float32Array(encoded.queries.reduce((n, q) => n + q.values.length, 0));
  encoded.queries.reduce((at, q) => (queryValues.set(q.values, at), at + q.values.length), 0);
  writeFileSync(`${base}.queries.f32`, new Uint8Array(queryValues.buffer));
  writeFileSync(`${base}.json`, JSON.stringify({ dim: encoded.dim, lengths: encoded.lengths, queryRows: encoded.queries.map((q) => q.rows), encodeMs: encoded.encodeMs }));
  return encoded;
}

const encoded = await cachedEncoding();
const { dim, vectors, queries: queryMatrices, encodeMs } = encoded;
const lengths = Uint32Array.from(encoded.lengths);
const seqs = Uint32Array.from(lengths.keys());
const tokens = lengths.reduce((a, b) => a + b, 0);

const toRun = (hits: ReadonlyArray<ReadonlyArray<{ seq: number; score: number }>>): Run =>
  new Map(subset.queries.map((q, i) => [q.id, hits[i]!.map((h) => ({ docId: subset.documents[h.seq]!.id, score: h.score }))]));
const ndcg = (run: Run): number => evaluateRun(subset.qrels, run).mean['ndcg@10'];

const scorer = await createWasmScorer({ dim, precision: 'int8', threads });
await scorer.append({ tokens: storeTokens(vectors, dim, 'int8'), lengths, seqs });
const int8Hits = [];
for (const query of queryMatrices) int8Hits.push(await scorer.score(query, { k }));
scorer.dispose();
const int8Run = toRun(int8Hits);

const kernels = await createCompressedKernels({ threads });
const rows = [];
for (const nbits of values.nbits.split(',').map(Number)) {
  const t = performance.now();
  const corpus = compressCorpus({ vectors, lengths, seqs }, dim, { nbits, seed: 0 });
  const buildMs = performance.now() - t;
  const pruned = [];
  const fixed = [];
  const exact = [];
  const ms = [];
  const candidates = [];
  const returned = [];
  for (const query of queryMatrices) {
    const t0 = performance.now();
    const result = await adaptiveSearch((o) => kernels.search(corpus, query, o), corpus, { k });
    ms.push(performance.now() - t0);
    fixed.push((await kernels.search(corpus, query, { k })).hits);
    pruned.push(result.hits);
    candidates.push(result.candidates);
    returned.push(result.hits.length);
    exact.push((await kernels.search(corpus, query, { k, exact: true })).hits);
  }
  const prunedRun = toRun(pruned);
  const exactRun = toRun(exact);
  const row = {
    nbits,
    centroids: corpus.centroidCount,
    bytesPerToken: corpus.bytes / tokens,
    prunedVsExact: topTenAgreement(prunedRun, exactRun),
    fixedNprobeVsExact: topTenAgreement(toRun(fixed), exactRun),
    compressedExactVsInt8: topTenAgreement(exactRun, int8Run),
    prunedVsInt8: topTenAgreement(prunedRun, int8Run),
    ndcg10: ndcg(prunedRun),
    candidates: summarise(candidates),
    hitsReturned: summarise(returned),
    prunedMs: summarise(ms),
    buildMs,
  };
  rows.push(row);
  process.stderr.write(`nbits ${nbits}: candidates p50 ${row.candidates.median}, hits p50 ${row.hitsReturned.median}, pruned/exact ${fmt(row.prunedVsExact.mean, 3)}, exact/int8 ${fmt(row.compressedExactVsInt8.mean, 3)}, pruned/int8 ${fmt(row.prunedVsInt8.mean, 3)}\n`);
}
kernels.dispose();

report(
  'compressed-seeded',
  {
    bench: 'compressed-seeded',
    model: 'answerai-small shape, seeded weights',
    backend: 'onnxruntime-node (encoding), WASM kernels (search)',
    corpus: `SciFact subset: the ${subset.relevant} documents relevant to the first ${subset.queries.length} test queries + a seeded sample (seed 7), ${subset.documents.length} in all`,
    dim,
    documents: subset.documents.length,
    tokens,
    queries: subset.queries.length,
    encodeMs,
    threads,
    environment: environment(),
    int8: { ndcg10: ndcg(int8Run) },
    compressed: rows,
  },
  ['index', 'bytes/token', 'top-10 pruned vs exact (mean / worst)', 'same, nprobe fixed (no widening)', 'compressed exact vs int8', 'pruned vs int8', 'nDCG@10 (random weights: meaningless)', 'candidates p50', 'hits returned p50', 'pruned p50 / p95 ms', 'build s'],
  [
    ['int8 exact scan', fmt(dim + 4), '–', '–', '–', '–', fmt(ndcg(int8Run), 4), String(lengths.length), '10', '–', '–'],
    ...rows.map((r) => [
      `nbits ${r.nbits}, ${r.centroids} centroids`,
      fmt(r.bytesPerToken, 2),
      `${fmt(r.prunedVsExact.mean, 3)} / ${fmt(r.prunedVsExact.worst, 1)}`,
      `${fmt(r.fixedNprobeVsExact.mean, 3)} / ${fmt(r.fixedNprobeVsExact.worst, 1)}`,
      `${fmt(r.compressedExactVsInt8.mean, 3)} / ${fmt(r.compressedExactVsInt8.worst, 1)}`,
      `${fmt(r.prunedVsInt8.mean, 3)} / ${fmt(r.prunedVsInt8.worst, 1)}`,
      fmt(r.ndcg10, 4),
      String(r.candidates.median),
      String(r.hitsReturned.median),
      `${fmt(r.prunedMs.median)} / ${fmt(r.prunedMs.p95)}`,
      fmt(r.buildMs / 1000),
    ]),
  ],
);
