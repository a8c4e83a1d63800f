/**
 * SciFact through the SDK's index in headless Chromium: `search({ mode: 'keyword' })` and `mode: 'hybrid'` of an
 * index built with `search.add` (the offline lexical model), evaluated with the CLI's own metrics. The peer, in the
 * same run over the same documents and queries, is `colbert-web eval --scorer bm25`'s ranker (Node): keyword
 * rankings must be the same documents with the same scores, so the same nDCG@10. Hybrid is checked against RRF
 * (k 60) of the index's own semantic and keyword top 100s fused here, and its nDCG@10 reported on its queries.
 * Also: the keyword index's bytes per document (in memory; IndexedDB holds none of it: it is derived from the
 * stored text), what persisting its terms would take (segment-terms encoding, batches of 16), and what deriving
 * them costs when an index opens (the analyzer over the corpus, against the open of the whole index).
 *
 *   npx tsx bench/keyword-sdk-browser.ts [--docs 5183] [--hybrid-queries 50]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import type { Page } from '@playwright/test';
import { createServer } from 'vite';
import { analyzeEnglish, segmentTerms } from 'colbert-web/node';
import { encodeSegmentTerms } from '../packages/colbert-web/src/scoring/keyword/segment-terms.js';
import { queriesToEvaluate, readCorpus, readQrels, readQueries } from '../packages/cli/src/eval/beir-files.js';
import { createBm25Ranker } from '../packages/cli/src/eval/bm25.js';
import { evaluateRun } from '../packages/cli/src/eval/metrics.js';
import type { Qrels } from '../packages/cli/src/eval/metrics.js';
import type { EvalDocument, Run } from '../packages/cli/src/eval/ranker.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '5183' }, 'hybrid-queries': { type: 'string', default: '50' } } });
const DOCS = Number(values.docs);
const HYBRID_QUERIES = Number(values['hybrid-queries']);
const DATA = join(import.meta.dirname, '../../shared/data/scifact');
const PORT = 5197;
const DEPTH = 100;

const documents: EvalDocument[] = [];
for await (const d of readCorpus(join(DATA, 'corpus.jsonl.gz'), { limit: DOCS })) documents.push(d);
const kept = new Set(documents.map((d) => d.id));
// A corpus subset: qrels restricted to its documents (the peer is evaluated on the same), queries left with none dropped.
const fullQrels = await readQrels(join(DATA, 'qrels'), 'test');
const qrels: Qrels = new Map([...fullQrels].map(([q, j]) => [q, new Map([...j].filter(([d]) => kept.has(d)))]));
const queries = queriesToEvaluate(qrels, await readQueries(join(DATA, 'queries.jsonl.gz')));

// The peer: the CLI's BM25 ranker over the same documents.
let started = performance.now();
const peerRun = await createBm25Ranker(documents, { topK: DEPTH })(queries);
const peerMs = performance.now() - started;
// Its zero scores are documents sharing no term: BM25's ranking is only those that share one (as the index returns).
for (const [id, list] of peerRun) peerRun.set(id, list.filter((d) => d.score > 0));

// What deriving the terms costs at open, and what storing them would take.
started = performance.now();
const analysed = documents.map((d) => analyzeEnglish(d.text));
const analyseMs = performance.now() - started;
let persistedBytes = 0;
for (let i = 0; i < analysed.length; i += 16) persistedBytes += encodeSegmentTerms(segmentTerms(analysed.slice(i, i + 16))).length;

const server = await createServer({ configFile: join(import.meta.dirname, '../vite.config.ts'), logLevel: 'warn', server: { port: PORT, strictPort: true } });
await server.listen();
const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-quic', '--no-first-run'] });

async function openIndex(page: Page, index: string): Promise<number> {
  await page.goto(`http://localhost:${PORT}/harness/encoder.html`);
  await page.waitForFunction(() => window.harnessReady, undefined, { timeout: 120_000 });
  return page.evaluate(async (name) => {
    const t0 = performance.now();
    const w = window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> };
    w.search = await window.colbert.createSearch({ model: new URL('/models/lexical/', location.href).href, index: name, backend: 'wasm' });
    await w.search.info();
    return performance.now() - t0;
  }, index);
}

type Ranked = { id: string; score: number }[];
async function searchAll(page: Page, list: readonly { id: string; text: string }[], options: Record<string, unknown>): Promise<{ run: Run; ms: number[] }> {
  const out = await page.evaluate(async ({ list, options }) => {
    const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
    const results: { id: string; hits: { id: string; score: number }[]; ms: number }[] = [];
    for (const q of list) {
      const t0 = performance.now();
      const hits = await search.search(q.text, options);
      results.push({ id: q.id, hits: hits.map((h) => ({ id: h.id, score: h.score })), ms: performance.now() - t0 });
    }
    return results;
  }, { list, options });
  return { run: new Map(out.map((r) => [r.id, r.hits.map((h) => ({ docId: h.id, score: h.score }))])), ms: out.map((r) => r.ms) };
}

try {
  // One context: pages of one origin share IndexedDB, as tabs do.
  const context = await browser.newContext();
  const page = await context.newPage();
  const index = `scifact-${DOCS}`;
  await openIndex(page, index);
  started = performance.now();
  const info = await page.evaluate(async (docs) => {
    const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
    await search.add(docs);
    return search.info();
  }, documents);
  const addMs = performance.now() - started;
  // Another page opening the stored index: its worker loads the vectors and derives the keyword terms from the text.
  const reopened = await context.newPage();
  const openMs = await openIndex(reopened, index);

  const keyword = await searchAll(reopened, queries, { k: DEPTH, mode: 'keyword' });
  // An app's usual k: the latency of a keyword search is mostly reading and returning its hits.
  const keyword10 = await searchAll(reopened, queries, { k: 10, mode: 'keyword' });
  const hybridQueries = queries.slice(0, HYBRID_QUERIES);
  const hybrid = await searchAll(reopened, hybridQueries, { k: DEPTH, mode: 'hybrid' });
  const semantic = await searchAll(reopened, hybridQueries, { k: DEPTH });

  // Keyword: the same documents in the same order with the same scores as the CLI's BM25.
  let sameIds = 0;
  let maxScoreDiff = 0;
  for (const q of queries) {
    const a = keyword.run.get(q.id) ?? [];
    const b = peerRun.get(q.id) ?? [];
    if (a.length === b.length && a.every((d, i) => d.docId === b[i]!.docId)) sameIds++;
    a.forEach((d, i) => (maxScoreDiff = Math.max(maxScoreDiff, Math.abs(d.score - (b[i]?.score ?? 0)))));
  }
  // Hybrid: RRF of the index's own two rankings, fused here.
  let hybridSame = 0;
  for (const q of hybridQueries) {
    const fused = new Map<string, number>();
    for (const list of [semantic.run.get(q.id) ?? [], keyword.run.get(q.id) ?? []]) list.forEach((d, i) => fused.set(d.docId, (fused.get(d.docId) ?? 0) + 1 / (61 + i)));
    const got = hybrid.run.get(q.id) ?? [];
    const want = [...fused].sort((x, y) => y[1] - x[1]).slice(0, DEPTH);
    if (got.length === want.length && got.every((d, i) => Math.abs(d.score - want[i]![1]) < 1e-12)) hybridSame++;
  }
  const ndcg = (run: Run, only?: readonly { id: string }[]): number => {
    const subset: Qrels = only ? new Map(only.map((q) => [q.id, qrels.get(q.id)!])) : qrels;
    return evaluateRun(subset, run).mean['ndcg@10'];
  };
  const hybridRun = new Map([...keyword.run].filter(([id]) => hybridQueries.some((q) => q.id === id)));
  const json = {
    environment: { ...environment(), userAgent: await page.evaluate(() => navigator.userAgent) },
    documents: DOCS,
    queries: queries.length,
    hybridQueries: hybridQueries.length,
    keyword: { ndcg10: ndcg(keyword.run), peerNdcg10: ndcg(peerRun), sameRankings: sameIds, maxScoreDiff, ms: summarise(keyword.ms), k10Ms: summarise(keyword10.ms), peerMsPerQuery: peerMs / queries.length },
    hybrid: { ndcg10: ndcg(hybrid.run, hybridQueries), semanticNdcg10: ndcg(semantic.run, hybridQueries), keywordNdcg10: ndcg(hybridRun, hybridQueries), equalsRrfOfBoth: hybridSame, ms: summarise(hybrid.ms), semanticMs: summarise(semantic.ms) },
    bytes: { keywordInMemoryPerDoc: info.keyword.bytes / info.keyword.documents, indexedDbPerDoc: info.bytes / info.documents, persistedTermsPerDoc: persistedBytes / DOCS },
    open: { addMs, openMs, analyseMs },
  };
  report('keyword-sdk-browser', json, ['ranking', 'queries', 'SDK index nDCG@10', 'CLI peer nDCG@10', 'same top-100 as peer', 'ms/query p50 (p95)'], [
    ['keyword (BM25)', queries.length, fmt(json.keyword.ndcg10, 4), fmt(json.keyword.peerNdcg10, 4), `${sameIds}/${queries.length} (max |Δscore| ${maxScoreDiff.toExponential(1)})`, `${fmt(json.keyword.ms.median)} (${fmt(json.keyword.ms.p95)})`],
    ['keyword, k 10', queries.length, fmt(ndcg(keyword10.run), 4), '–', '–', `${fmt(summarise(keyword10.ms).median)} (${fmt(summarise(keyword10.ms).p95)})`],
    ['hybrid (RRF k 60 of both top 100s)', hybridQueries.length, fmt(json.hybrid.ndcg10, 4), '–', `= RRF of its rankings: ${hybridSame}/${hybridQueries.length}`, `${fmt(json.hybrid.ms.median)} (${fmt(json.hybrid.ms.p95)})`],
    ['semantic (same queries)', hybridQueries.length, fmt(json.hybrid.semanticNdcg10, 4), '–', '–', `${fmt(json.hybrid.semanticMs.median)} (${fmt(json.hybrid.semanticMs.p95)})`],
    ['keyword (same queries)', hybridQueries.length, fmt(json.hybrid.keywordNdcg10, 4), '–', '–', '–'],
  ]);
  console.log(`\nkeyword index: ${fmt(json.bytes.keywordInMemoryPerDoc, 0)} B/doc in memory, 0 in IndexedDB (index: ${fmt(json.bytes.indexedDbPerDoc, 0)} B/doc); persisting the terms would take ${fmt(json.bytes.persistedTermsPerDoc, 0)} B/doc`);
  console.log(`open of the stored index in a new page: ${fmt(openMs, 0)} ms, of which deriving the terms (analyzer over the corpus, Node) ~${fmt(analyseMs, 0)} ms; add: ${fmt(addMs / 1000, 1)} s`);
} finally {
  await browser.close();
  await server.close();
}
