import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { IndexFileReader } from 'colbert-web/node';
import type { FileDocument, FileSegment } from 'colbert-web/node';
import { documentCount, openPlayground, scifactSlice } from './playground.js';

const run = promisify(execFile);
const cli = 'node_modules/.bin/colbert-web';
const SLICE = 500;

interface IndexedDocument {
  doc: FileDocument;
  values: number[];
  scales: number[];
  spans: number[];
  tokenIds: number[];
}

/** An index file → its documents by id, with each one's stored vectors, scales, spans and token ids. */
function readIndex(path: string): Map<string, IndexedDocument> {
  const reader = new IndexFileReader();
  const segments: FileSegment[] = [];
  for (const item of reader.push(new Uint8Array(readFileSync(path)))) if (item.kind === 'segment') segments.push(item.segment);
  reader.finish();
  const byId = new Map<string, IndexedDocument>();
  for (const s of segments) {
    const { dim } = s.tokens;
    let row = 0;
    s.documents.forEach((doc, i) => {
      const rows = s.lengths[i]!;
      const slice = <T extends ArrayLike<number>>(a: T, per: number): number[] => Array.from({ length: rows * per }, (_, j) => a[row * per + j]!);
      byId.set(doc.id, {
        doc,
        values: slice(s.tokens.values, dim),
        scales: s.tokens.precision === 'int8' ? slice(s.tokens.scales, 1) : [],
        spans: slice(s.spans, 2),
        tokenIds: slice(s.tokenIds, 1),
      });
      row += rows;
    });
  }
  return byId;
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
  const download = page.waitForEvent('download');
  await page.locator('#export').click();
  const browserFile = test.info().outputPath('browser.cwi');
  await (await download).saveAs(browserFile);

  const fromCli = readIndex(cliFile);
  const fromBrowser = readIndex(browserFile);
  expect(fromBrowser.size).toBe(SLICE);
  expect([...fromBrowser.keys()]).toEqual(docs.map((d) => d._id));
  for (const [id, b] of fromBrowser) {
    const c = fromCli.get(id)!;
    expect(b.doc.text, id).toBe(c.doc.text);
    expect(b.tokenIds, id).toEqual(c.tokenIds);
    expect(b.spans, id).toEqual(c.spans);
    expect(b.values, id).toEqual(c.values);
    expect(b.scales, id).toEqual(c.scales);
  }

  // The CLI file imported into the browser's IndexedDB holds exactly what the browser built itself.
  await page.locator('#clear').click();
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '0');
  await page.locator('#import').setInputFiles(cliFile);
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', String(SLICE), { timeout: 60_000 });
  const again = page.waitForEvent('download');
  await page.locator('#export').click();
  const roundTrip = test.info().outputPath('cli-imported.cwi');
  await (await again).saveAs(roundTrip);
  for (const [id, r] of readIndex(roundTrip)) {
    const b = fromBrowser.get(id)!;
    expect([r.values, r.scales, r.spans, r.tokenIds], id).toEqual([b.values, b.scales, b.spans, b.tokenIds]);
  }

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
