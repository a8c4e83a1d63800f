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
