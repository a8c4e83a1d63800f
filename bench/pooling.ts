/**
 * Token pooling (PyLate's pool_factor) on SciFact at factors 1, 2 and 3: nDCG@10 (the CLI eval's metrics, int8
 * rows, WASM MaxSim), top-10 agreement of each pooled ranking with the unpooled one, stored rows and int8 vector
 * bytes per document, and pooling time per document against encoding time — measured in the same run, on the same
 * documents, for
 *  - the lexical demo model (WASM, 1 thread) over the whole corpus and all 300 test queries, and
 *  - a seeded model of answerai-colbert-small-v1's shape (real config, tokenizer and 1_Dense; BERT weights seeded;
 *    onnxruntime-node) on a subset: every document relevant to the first `--small-queries` test queries plus a
 *    seeded sample of the others, `--small-docs` in all. Its weights are random, so its nDCG is near zero and
 *    means nothing; the agreement with its own unpooled ranking is the number that says what pooling changes.
 *
 * Each corpus is encoded once without pooling; each factor then pools those rows with `poolDocument` (what
 * `encode({ poolFactor })` applies after the model), so the pooling time is the pooling alone.
 *
 *   npx tsx bench/pooling.ts [--models lexical,answerai-small] [--small-queries 100] [--small-docs 800] [--threads 2]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePreset } from '@colbert-web/fixtures';
import { availableParallelism } from 'node:os';
import { createWasmScorer, documentsToFileSegment, folderFiles, loadEncoder, loadNodeEncoder, memoryFiles, poolDocument, prepareDocuments } from 'colbert-web/node';
import type { EncodedText, Encoder } from 'colbert-web/node';
import { queriesToEvaluate, readCorpus, readQrels, readQueries } from '../packages/cli/src/eval/beir-files.js';
import { evaluateRanker } from '../packages/cli/src/eval/harness.js';
import type { EvalDocument, Ranker, Run } from '../packages/cli/src/eval/ranker.js';
import { ensureLexicalModel } from '../demo/build/lexical-model.js';
import { SHARED } from './corpus.js';
import { scifactSubset, topTenAgreement } from './pooling-subset.js';
import { environment, fmt, report, summarise } from './stats.js';
import type { Summary } from './stats.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'lexical,answerai-small' },
    'small-queries': { type: 'string', default: '100' },
    'small-docs': { type: 'string', default: '800' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const models = new Set(values.models.split(','));
const FACTORS = [1, 2, 3] as const;
const scifact = join(SHARED, 'data/scifact');

interface FactorResult {
  model: string;
  poolFactor: number;
  ndcg10: number;
  /** |top-10 ∩ unpooled top-10| / 10 over the queries. */
  top10Agreement: { mean: number; worst: number };
  documents: number;
  queries: number;
  rowsPerDocument: number;
  /** int8 rows: dim bytes + a 4-byte scale each. */
  vectorBytesPerDocument: number;
  poolMsPerDocument: Summary;
  encodeMsPerDocument: number;
  poolShareOfEncode: number;
}

/** Encodes documents in batches, timing each batch; returns the rows and the mean encoding time per document. */
async function encodeAll(encoder: Encoder, texts: readonly string[]): Promise<{ encoded: EncodedText[]; msPerDocument: number }> {
  const encoded: EncodedText[] = [];
  const started = performance.now();
  for (let i = 0; i < texts.length; i += 256) {
    encoded.push(...(await encoder.encode(texts.slice(i, i + 256).map((text) => ({ text, kind: 'document' as const })), { longDocuments: 'truncate' })));
    process.stderr.write(`\rencoded ${encoded.length}/${texts.length}`);
  }
  process.stderr.write('\n');
  return { encoded, msPerDocument: (performance.now() - started) / texts.length };
}

/** Pools every document at `factor`, timing each one. */
function poolAll(encoded: readonly EncodedText[], factor: number): { pooled: EncodedText[]; ms: number[] } {
  const ms: number[] = [];
  const pooled = encoded.map((e) => {
    const t = performance.now();
    const p = poolDocument(e, [e.rows], factor);
    ms.push(performance.now() - t);
    return p;
  });
  return { pooled, ms };
}

function factorRow(model: string, factor: number, pooled: readonly EncodedText[], ms: number[], encodeMs: number, ranked: Ranked, unpooled: Ranked): FactorResult {
  const rows = pooled.reduce((n, e) => n + e.rows, 0);
  const dim = pooled[0]!.dim;
  const poolMs = summarise(ms);
  const meanPool = ms.reduce((a, b) => a + b, 0) / ms.length;
  return {
    model,
    poolFactor: factor,
    ndcg10: ranked.ndcg10,
    top10Agreement: topTenAgreement(ranked.run, unpooled.run),
    documents: pooled.length,
    queries: ranked.run.size,
    rowsPerDocument: rows / pooled.length,
    vectorBytesPerDocument: (rows * (dim + 4)) / pooled.length,
    poolMsPerDocument: poolMs,
    encodeMsPerDocument: encodeMs,
    poolShareOfEncode: meanPool / encodeMs,
  };
}

interface Ranked {
  ndcg10: number;
  run: Run;
}

/** nDCG@10 and the run of the pooled corpus: int8 rows in the WASM scorer, queries encoded (never pooled) by the same model. */
async function rank(encoder: Encoder, documents: readonly EvalDocument[], pooled: readonly EncodedText[], factor: number, queries: Parameters<typeof evaluateRanker>[1], qrels: Parameters<typeof evaluateRanker>[2]): Promise<Ranked> {
  const dim = pooled[0]!.dim;
  const prepared = prepareDocuments(documents.map((d, i) => ({ id: d.id, encoded: pooled[i]! })), dim, factor);
  const segment = documentsToFileSegment(prepared, 0, dim, 'int8');
  const scorer = await createWasmScorer({ dim, precision: 'int8', threads: 1 });
  try {
    await scorer.append({ tokens: segment.tokens, lengths: segment.lengths, seqs: segment.seqs });
    const ranker: Ranker = async (qs) => {
      const encoded = await encoder.encode(qs.map((q) => ({ text: q.text, kind: 'query' as const })));
      const run: Run = new Map();
      for (const [i, q] of qs.entries()) {
        const e = encoded[i]!;
        const hits = await scorer.score({ precision: 'f32', dim, rows: e.rows, values: e.vectors }, { k: 100 });
        run.set(q.id, hits.map((h) => ({ docId: documents[h.seq]!.id, score: h.score })));
      }
      return run;
    };
    const result = await evaluateRanker(ranker, queries, qrels);
    return { ndcg10: result.mean['ndcg@10'], run: result.run };
  } finally {
    scorer.dispose();
  }
}

/** Encodes once, then pools and ranks at each factor; the unpooled ranking is every factor's reference. */
async function benchModel(model: string, encoder: Encoder, documents: readonly EvalDocument[], queries: Parameters<typeof evaluateRanker>[1], qrels: Parameters<typeof evaluateRanker>[2]): Promise<FactorResult[]> {
  const encoded = await encodeAll(encoder, documents.map((d) => d.text));
  const out: FactorResult[] = [];
  let unpooled: Ranked | undefined;
  for (const factor of FACTORS) {
    const { pooled, ms } = poolAll(encoded.encoded, factor);
    const ranked = await rank(encoder, documents, pooled, factor, queries, qrels);
    unpooled ??= ranked;
    out.push(factorRow(model, factor, pooled, ms, encoded.msPerDocument, ranked, unpooled));
    process.stderr.write(`${model} f=${factor}: nDCG@10 ${ranked.ndcg10.toFixed(4)}, top-10 agreement ${out.at(-1)!.top10Agreement.mean.toFixed(3)}\n`);
  }
  return out;
}

const results: FactorResult[] = [];
const documents: EvalDocument[] = [];
for await (const d of readCorpus(join(scifact, 'corpus.jsonl.gz'))) documents.push(d);
const qrels = await readQrels(join(scifact, 'qrels'), 'test');
const queries = queriesToEvaluate(qrels, await readQueries(join(scifact, 'queries.jsonl.gz')));
const environments: Record<string, unknown> = {};

if (models.has('lexical')) {
  // Lexical demo model, whole SciFact, WASM in-process.
  const lexicalDir = join(import.meta.dirname, '.models/lexical');
  await ensureLexicalModel(lexicalDir);
  const lexical = await loadEncoder(folderFiles(lexicalDir), { threads: 1 });
  results.push(...(await benchModel('lexical', lexical, documents, queries, qrels)));
  environments['lexical'] = { backend: 'onnxruntime-web WASM (Node)', threads: 1, corpus: 'SciFact, all 5,183 documents, 300 test queries' };
  await lexical.close();
}

if (models.has('answerai-small')) {
  // Seeded answerai-colbert-small-v1 shape on a subset, onnxruntime-node.
  const subset = scifactSubset(documents, queries, qrels, Number(values['small-queries']), Number(values['small-docs']));
  const threads = Number(values.threads);
  const small = await loadNodeEncoder(memoryFiles(generatePreset('answerai-small')), { backend: 'native', threads });
  const model = `answerai-small shape (seeded), ${subset.documents.length} docs`;
  results.push(...(await benchModel(model, small, subset.documents, subset.queries, subset.qrels)));
  environments[model] = {
    backend: small.backend,
    corpus: `SciFact subset: the ${subset.relevant} documents relevant to the first ${subset.queries.length} test queries + a seeded sample (seed 7) of the others, ${subset.documents.length} in all; those ${subset.queries.length} queries`,
  };
  await small.close();
}

report(
  'pooling',
  { environment: environment(), models: environments, results },
  ['model', 'pool factor', 'nDCG@10', 'top-10 agreement with factor 1 (mean / worst)', 'rows / doc', 'int8 bytes / doc', 'pool ms / doc (median, p95)', 'encode ms / doc', 'pool / encode'],
  results.map((r) => [
    r.model,
    r.poolFactor,
    r.ndcg10.toFixed(4),
    `${fmt(r.top10Agreement.mean, 3)} / ${fmt(r.top10Agreement.worst, 1)}`,
    fmt(r.rowsPerDocument),
    fmt(r.vectorBytesPerDocument, 0),
    `${fmt(r.poolMsPerDocument.median, 3)}, ${fmt(r.poolMsPerDocument.p95, 3)}`,
    fmt(r.encodeMsPerDocument, 2),
    `${fmt(100 * r.poolShareOfEncode, 2)} %`,
  ]),
);
