import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { IndexFileReader } from 'colbert-web/node';
import type { FileDocument, FileSegment } from 'colbert-web/node';
import { documentCount, openPlayground, scifactSlice } from './playground.js';

const run = promisify(execFile);
const cli = 'node_modules/.bin/colbert-web';
const SLICE = 500;
const POOLED_SLICE = 120;

interface IndexedDocument {
  doc: FileDocument;
  rows: number;
  values: number[];
  scales: number[];
  spans: number[];
  tokenIds: number[];
  /** Pooled files: each token's row in its document (empty otherwise). */
  tokenRows: number[];
}

/** An index file → its pool factor and its documents by id, with each one's stored vectors, scales and per-token data. */
function readIndex(path: string): { poolFactor: number; byId: Map<string, IndexedDocument> } {
  const reader = new IndexFileReader();
  const segments: FileSegment[] = [];
  let poolFactor = 0;
  for (const item of reader.push(new Uint8Array(readFileSync(path)))) {
    if (item.kind === 'identity') poolFactor = item.poolFactor;
    if (item.kind === 'segment') segments.push(item.segment);
  }
  reader.finish();
  const byId = new Map<string, IndexedDocument>();
  for (const s of segments) {
    const { dim } = s.tokens;
    let row = 0;
    let token = 0;
    s.documents.forEach((doc, i) => {
      const rows = s.lengths[i]!;
      // Unpooled files carry one token per row; pooled ones say how many tokens each document has.
      const tokens = s.tokenCounts?.[i] ?? rows;
      const slice = <T extends ArrayLike<number>>(a: T, at: number, n: number, per: number): number[] => Array.from({ length: n * per }, (_, j) => a[at * per + j]!);
      byId.set(doc.id, {
        doc,
        rows,
        values: slice(s.tokens.values, row, rows, dim),
        scales: s.tokens.precision === 'int8' ? slice(s.tokens.scales, row, rows, 1) : [],
        spans: slice(s.spans, token, tokens, 2),
        tokenIds: slice(s.tokenIds, token, tokens, 1),
        tokenRows: s.tokenRows ? slice(s.tokenRows, token, tokens, 1) : [],
      });
      row += rows;
      token += tokens;
    });
  }
  return { poolFactor, byId };
}

/** Every document of `actual` holds exactly `expected`'s text, tokens, spans, token rows and stored bits. */
function expectIdentical(actual: Map<string, IndexedDocument>, expected: Map<string, IndexedDocument>): void {
  for (const [id, a] of actual) {
    const e = expected.get(id)!;
    expect(a.doc.text, id).toBe(e.doc.text);
    expect(a.tokenIds, id).toEqual(e.tokenIds);
    expect(a.spans, id).toEqual(e.spans);
    expect(a.tokenRows, id).toEqual(e.tokenRows);
    expect(a.values, id).toEqual(e.values);
    expect(a.scales, id).toEqual(e.scales);
  }
}

/** Exports the page's index as a .cwi file at `name` in the test's output folder. */
async function exportIndex(page: Page, name: string): Promise<string> {
  const download = page.waitForEvent('download');
  await page.locator('#export').click();
  const file = test.info().outputPath(name);
  await (await download).saveAs(file);
  return file;
}

// The CLI (Node) and the browser (WASM in a worker) build the same index from the same 500 SciFact abstracts:
// bit-identical vectors, and `colbert-web eval` gives identical metrics on both files.
test('a CLI-built index and one built in the browser are bit-identical and evaluate identically', async ({ page }) => {
  const corpus = test.info().outputPath('scifact-500.jsonl');
  const docs = scifactSlice(SLICE, corpus);
  const cliFile = test.info().outputPath('cli.cwi');
  // WASM, as in the browser: the native backend's vectors differ in the last bits (packages/cli/src/index-command.test.ts).
  await run(cli, ['index', corpus, '--model', 'public/models/lexical', '--output', cliFile, '--long-documents', 'split', '--backend', 'wasm']);

  await openPlayground(page);
  await page.locator('#upload').setInputFiles(corpus);
  await expect(page.locator('#add-status')).toHaveAttribute('data-state', 'done', { timeout: 300_000 });
  expect(await documentCount(page)).toBe(SLICE);
  const browserFile = await exportIndex(page, 'browser.cwi');

  const fromCli = readIndex(cliFile).byId;
  const fromBrowser = readIndex(browserFile).byId;
  expect(fromBrowser.size).toBe(SLICE);
  expect([...fromBrowser.keys()]).toEqual(docs.map((d) => d._id));
  expectIdentical(fromBrowser, fromCli);

  // The CLI file imported into the browser's IndexedDB holds exactly what the browser built itself.
  await page.locator('#clear').click();
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '0');
  await page.locator('#import').setInputFiles(cliFile);
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', String(SLICE), { timeout: 60_000 });
  expectIdentical(readIndex(await exportIndex(page, 'cli-imported.cwi')).byId, fromBrowser);

  // The test queries whose relevant documents all lie in the slice, with exact qrels.
  const inSlice = new Set(docs.map((d) => d._id));
  const qrelLines = readFileSync('../shared/data/scifact/qrels/test.tsv', 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const byQuery = new Map<string, string[][]>();
  for (const l of qrelLines) byQuery.set(l[0]!, [...(byQuery.get(l[0]!) ?? []), l]);
  const kept = [...byQuery].filter(([, rows]) => rows.every((r) => inSlice.has(r[1]!)));
  const qrels = test.info().outputPath('qrels.tsv');
  writeFileSync(qrels, ['query-id\tcorpus-id\tscore', ...kept.flatMap(([, rows]) => rows.map((r) => r.join('\t')))].join('\n'));
  const evalArgs = (index: string): string[] =>
    ['eval', '--corpus', corpus, '--queries', '../shared/data/scifact/queries.jsonl.gz', '--qrels', qrels, '--model', 'public/models/lexical', '--index', index, '--json'];
  const metrics = async (index: string): Promise<Record<string, number>> =>
    (JSON.parse((await run(cli, evalArgs(index))).stdout) as { metrics: Record<string, number> }).metrics;
  const cliMetrics = await metrics(cliFile);
  expect(kept.length).toBeGreaterThan(20);
  expect(cliMetrics['ndcg@10']).toBeGreaterThan(0.3);
  expect(await metrics(browserFile)).toEqual(cliMetrics);
  expect(await metrics(cliFile)).toEqual(cliMetrics); // stable across runs
  console.log(JSON.stringify({ queries: kept.length, ...cliMetrics }));
});

interface CodedDocument {
  text: string | null;
  codes: number[];
  residuals: number[];
  spans: number[];
  tokenIds: number[];
}

/** A compressed index file → its tables' bytes and its documents by id with their codes, residuals and spans. */
function readCompressed(bytes: Uint8Array): { tables: number[]; documents: Map<string, CodedDocument> } {
  const reader = new IndexFileReader();
  let tables: number[] = [];
  const documents = new Map<string, CodedDocument>();
  for (const item of reader.push(bytes)) {
    if (item.kind === 'tables') tables = [item.table.coarse, item.table.coarseStart, item.table.centroids, item.codec.cutoffs, item.codec.weights].flatMap((a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));
    if (item.kind !== 'coded-segment') continue;
    const s = item.segment;
    const perToken = s.residuals.length / s.codes.length;
    let row = 0;
    s.documents.forEach((doc, i) => {
      const rows = s.lengths[i]!;
      documents.set(doc.id, {
        text: doc.text,
        codes: Array.from(s.codes.subarray(row, row + rows)),
        residuals: Array.from(s.residuals.subarray(row * perToken, (row + rows) * perToken)),
        spans: Array.from(s.spans.subarray(2 * row, 2 * (row + rows))),
        tokenIds: Array.from(s.tokenIds.subarray(row, row + rows)),
      });
      row += rows;
    });
  }
  reader.finish();
  return { tables, documents };
}

// A compressed index: `colbert-web index --nbits 2` and a browser index of the same documents that compresses
// (in the worker, from its IndexedDB segments) train the same tables and code every token the same way.
test('a compressed CLI-built index and a compressed browser-built one hold the same tables, codes and residuals', async ({ page }) => {
  test.setTimeout(300_000);
  const corpus = test.info().outputPath('scifact-60.jsonl');
  const docs = scifactSlice(60, corpus);
  const cliFile = test.info().outputPath('cli-nbits.cwi');
  await run(cli, ['index', corpus, '--model', 'public/models/lexical', '--output', cliFile, '--long-documents', 'split', '--backend', 'wasm', '--nbits', '2', '--compress-at', '5000']);

  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
  const base64 = await page.evaluate(async (documents) => {
    const { createSearch } = window.colbert;
    const index = `parity-nbits-${Math.random()}`;
    const options = { model: '/models/lexical/', index, backend: 'wasm' as const, worker: 'shared' as const, nbits: 2 as const };
    // Built whole first (a threshold it never reaches), then reopened with the CLI's: training sees every row, as the CLI's does.
    const building = await createSearch({ ...options, compressAt: 1e9 });
    await building.add(documents.map((d) => ({ id: d._id, text: `${d.title} ${d.text}` })));
    await building.close();
    const search = await createSearch({ ...options, compressAt: 5000 });
    await search.compact();
    const bytes = new Uint8Array(await (await search.export()).arrayBuffer());
    await search.close();
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }, docs);

  const fromCli = readCompressed(new Uint8Array(readFileSync(cliFile)));
  const fromBrowser = readCompressed(new Uint8Array(Buffer.from(base64, 'base64')));
  expect(fromCli.tables.length).toBeGreaterThan(0);
  expect(fromBrowser.tables).toEqual(fromCli.tables);
  expect([...fromBrowser.documents.keys()]).toEqual(docs.map((d) => d._id));
  for (const [id, b] of fromBrowser.documents) expect(b, id).toEqual(fromCli.documents.get(id));
});

// Pooled (pool factor 2): the CLI (WASM) and the browser (WASM worker) pool the same encodings the same way, so the
// pooled rows, their scales and every token's row are bit-identical too.
test('a pooled CLI-built index and a pooled browser-built one are bit-identical', async ({ page }) => {
  test.setTimeout(300_000);
  const corpus = test.info().outputPath('scifact-pooled.jsonl');
  const docs = scifactSlice(POOLED_SLICE, corpus);
  const cliFile = test.info().outputPath('cli-pooled.cwi');
  await run(cli, ['index', corpus, '--model', 'public/models/lexical', '--output', cliFile, '--long-documents', 'split', '--backend', 'wasm', '--pool-factor', '2']);

  await openPlayground(page, 'wasm', 2);
  await page.locator('#upload').setInputFiles(corpus);
  await expect(page.locator('#add-status')).toHaveAttribute('data-state', 'done', { timeout: 300_000 });
  expect(await documentCount(page)).toBe(POOLED_SLICE);

  const fromCli = readIndex(cliFile);
  const fromBrowser = readIndex(await exportIndex(page, 'browser-pooled.cwi'));
  expect([fromCli.poolFactor, fromBrowser.poolFactor]).toEqual([2, 2]);
  expect([...fromBrowser.byId.keys()]).toEqual(docs.map((d) => d._id));
  expect(fromCli.byId.size).toBe(POOLED_SLICE);
  // Pooled: about half the rows, each token assigned to one of them.
  const rows = [...fromBrowser.byId.values()].reduce((n, d) => n + d.rows, 0);
  const tokens = [...fromBrowser.byId.values()].reduce((n, d) => n + d.tokenIds.length, 0);
  expect(rows / tokens).toBeGreaterThan(0.4);
  expect(rows / tokens).toBeLessThan(0.6);
  expectIdentical(fromBrowser.byId, fromCli.byId);
});
