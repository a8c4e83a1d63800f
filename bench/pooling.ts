/**
 * Token pooling (PyLate's pool_factor) on SciFact: nDCG@10 of the lexical demo model at factors 1, 2 and 3 over
 * the whole corpus and the test queries (the CLI eval's metrics, int8 rows, WASM MaxSim), stored rows and int8
 * vector bytes per document, and pooling time per document against encoding time — measured in the same run,
 * on the same documents, for the lexical model and a seeded model of answerai-colbert-small-v1's shape
 * (BERT-small, 96 dims, 300-token documents; random weights, so it is timed and counted but not ranked).
 *
 * Each corpus is encoded once without pooling; each factor then pools those rows with `poolDocument` (what
 * `encode({ poolFactor })` applies after the model), so the pooling time is the pooling alone.
 *
 *   npx tsx bench/pooling.ts [--docs N] (documents timed with the answerai-small shape, default 64)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePreset } from '@colbert-web/fixtures';
import { createWasmScorer, documentsToFileSegment, folderFiles, loadEncoder, memoryFiles, poolDocument, prepareDocuments } from 'colbert-web/node';
import type { EncodedText, Encoder } from 'colbert-web/node';
import { queriesToEvaluate, readCorpus, readQrels, readQueries } from '../packages/cli/src/eval/beir-files.js';
import { evaluateRanker } from '../packages/cli/src/eval/harness.js';
import type { EvalDocument, Ranker, Run } from '../packages/cli/src/eval/ranker.js';
import { ensureLexicalModel } from '../demo/build/lexical-model.js';
import { SHARED } from './corpus.js';
import { environment, fmt, report, summarise } from './stats.js';
import type { Summary } from './stats.js';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '64' } } });
const FACTORS = [1, 2, 3] as const;
const scifact = join(SHARED, 'data/scifact');

interface FactorResult {
  model: string;
  poolFactor: number;
  ndcg10: number | null;
  documents: number;
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

function factorRow(model: string, factor: number, pooled: readonly EncodedText[], ms: number[], encodeMs: number, ndcg: number | null): FactorResult {
  const rows = pooled.reduce((n, e) => n + e.rows, 0);
  const dim = pooled[0]!.dim;
  const poolMs = summarise(ms);
  const meanPool = ms.reduce((a, b) => a + b, 0) / ms.length;
  return {
    model,
    poolFactor: factor,
    ndcg10: ndcg,
    documents: pooled.length,
    rowsPerDocument: rows / pooled.length,
    vectorBytesPerDocument: (rows * (dim + 4)) / pooled.length,
    poolMsPerDocument: poolMs,
    encodeMsPerDocument: encodeMs,
    poolShareOfEncode: meanPool / encodeMs,
  };
}

/** nDCG@10 of the pooled corpus: int8 rows in the WASM scorer, queries encoded (never pooled) by the same model. */
async function ndcg(encoder: Encoder, documents: readonly EvalDocument[], pooled: readonly EncodedText[], factor: number, queries: Parameters<typeof evaluateRanker>[1], qrels: Parameters<typeof evaluateRanker>[2]): Promise<number> {
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
    return (await evaluateRanker(ranker, queries, qrels)).mean['ndcg@10'];
  } finally {
    scorer.dispose();
  }
}

const results: FactorResult[] = [];

// Lexical demo model, whole SciFact.
const lexicalDir = join(import.meta.dirname, '.models/lexical');
await ensureLexicalModel(lexicalDir);
const lexical = await loadEncoder(folderFiles(lexicalDir), { threads: 1 });
const documents: EvalDocument[] = [];
for await (const d of readCorpus(join(scifact, 'corpus.jsonl.gz'))) documents.push(d);
const qrels = await readQrels(join(scifact, 'qrels'), 'test');
const queries = queriesToEvaluate(qrels, await readQueries(join(scifact, 'queries.jsonl.gz')));
const lexicalEncoded = await encodeAll(lexical, documents.map((d) => d.text));
for (const factor of FACTORS) {
  const { pooled, ms } = poolAll(lexicalEncoded.encoded, factor);
  const score = await ndcg(lexical, documents, pooled, factor, queries, qrels);
  results.push(factorRow('lexical', factor, pooled, ms, lexicalEncoded.msPerDocument, score));
  process.stderr.write(`lexical f=${factor}: nDCG@10 ${score.toFixed(4)}\n`);
}
await lexical.close();

// Seeded answerai-colbert-small-v1 shape: timing and row counts on the longest abstracts (300-token documents).
const small = await loadEncoder(memoryFiles(generatePreset('answerai-small')), { threads: 1 });
const longest = [...documents].sort((a, b) => b.text.length - a.text.length).slice(0, Number(values.docs)).map((d) => d.text);
const smallEncoded = await encodeAll(small, longest);
for (const factor of FACTORS) {
  const { pooled, ms } = poolAll(smallEncoded.encoded, factor);
  results.push(factorRow('answerai-small shape (seeded)', factor, pooled, ms, smallEncoded.msPerDocument, null));
}
await small.close();

report(
  'pooling',
  { environment: { ...environment(), threads: 1, backend: 'onnxruntime-web WASM (Node)' }, corpus: 'SciFact (BEIR) test queries', results },
  ['model', 'pool factor', 'nDCG@10', 'rows / doc', 'int8 bytes / doc', 'pool ms / doc (median, p95)', 'encode ms / doc', 'pool / encode'],
  results.map((r) => [
    r.model,
    r.poolFactor,
    r.ndcg10 === null ? '—' : r.ndcg10.toFixed(4),
    fmt(r.rowsPerDocument),
    fmt(r.vectorBytesPerDocument, 0),
    `${fmt(r.poolMsPerDocument.median, 3)}, ${fmt(r.poolMsPerDocument.p95, 3)}`,
    fmt(r.encodeMsPerDocument, 2),
    `${fmt(100 * r.poolShareOfEncode, 2)} %`,
  ]),
);
