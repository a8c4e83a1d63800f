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

// Pooled (pool factor 2): the CLI (WASM) and the browser (WASM worker) pool the same encodings the same way, so the
// pooled rows, their scales and every token's row are bit-identical too.
test('a pooled CLI-built index and a pooled browser-built one are bit-identical', async ({ page }) => {
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
