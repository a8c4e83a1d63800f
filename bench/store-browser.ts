/**
 * The IndexedDB store in headless Chromium: write throughput, cold open + load of ~1M tokens (d=128, int8) into
 * memory ready for a scorer, and bytes on disk per token. The peer, measured in the same run on the same
 * vectors, keeps one IndexedDB record per document (another origin, so the two are apart on disk). "Cold" is a
 * freshly launched browser on the same profile (IndexedDB backend cold; the OS file cache cannot be dropped here).
 *
 *   npx tsx bench/store-browser.ts [--tokens 1000000] [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';
import { createServer } from 'vite';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({ options: { tokens: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } } });
const TOKENS = Number(values.tokens);
const RUNS = Number(values.runs);
const DIM = 128;
const PORT = 5198;
const STORE = `http://localhost:${PORT}`;
const PEER = `http://127.0.0.1:${PORT}`;

const server = await createServer({ configFile: join(import.meta.dirname, '../vite.config.ts'), logLevel: 'warn', server: { port: PORT, strictPort: true, host: '127.0.0.1' } });
await server.listen();
const profile = mkdtempSync(join(tmpdir(), 'colbert-store-bench-'));
const launch = (): Promise<BrowserContext> =>
  chromium.launchPersistentContext(profile, {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
async function harness(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/harness/store.html`);
  await page.waitForFunction(() => window.storeHarnessReady === true, undefined, { timeout: 120_000 });
  return page;
}
/** Bytes under a folder (0 when absent). */
const du = (path: string): number => {
  try {
    return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\t')[0]);
  } catch {
    return 0;
  }
};

try {
  let context = await launch();
  const storePage = await harness(context, STORE);
  const written = await storePage.evaluate(([t, d]) => window.storeHarness.bench.storeWrite('bench', t, d, 1), [TOKENS, DIM] as const);
  const peerPage = await harness(context, PEER);
  const peerWritten = await peerPage.evaluate(([t, d]) => window.storeHarness.bench.peerWrite('bench-peer', t, d, 1), [TOKENS, DIM] as const);
  const userAgent = await storePage.evaluate(() => navigator.userAgent);
  await context.close();

  const store: { openMs: number; loadMs: number; tokens: number; reads: number }[] = [];
  const peer: { openMs: number; loadMs: number; tokens: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    context = await launch();
    // Alternate which goes first, so neither always gets the warmer OS cache.
    const order = run % 2 === 0 ? ['store', 'peer'] : ['peer', 'store'];
    for (const which of order) {
      if (which === 'store') store.push(await (await harness(context, STORE)).evaluate((d) => window.storeHarness.bench.storeLoad('bench', d), DIM));
      else peer.push(await (await harness(context, PEER)).evaluate((d) => window.storeHarness.bench.peerLoad('bench-peer', d), DIM));
    }
    await context.close();
  }

  const idb = join(profile, 'Default/IndexedDB');
  const disk = (origin: string): { leveldb: number; blob: number } => ({ leveldb: du(join(idb, `${origin}.indexeddb.leveldb`)), blob: du(join(idb, `${origin}.indexeddb.blob`)) });
  const storeDisk = disk(`http_localhost_${PORT}`);
  const peerDisk = disk(`http_127.0.0.1_${PORT}`);
  const tokens = written.tokens;
  const vectorBudget = tokens * (DIM + 4);
  const storeTotal = (s: { openMs: number; loadMs: number }): number => s.openMs + s.loadMs;
  const json = {
    environment: { ...environment(), userAgent },
    tokens,
    documents: written.documents,
    dim: DIM,
    write: { store: { ms: written.ms, tokensPerSecond: tokens / (written.ms / 1000) }, peer: { ms: peerWritten.ms, tokensPerSecond: peerWritten.tokens / (peerWritten.ms / 1000) } },
    coldLoad: { store: { openPlusLoadMs: summarise(store.map(storeTotal)), runs: store }, peer: { openPlusLoadMs: summarise(peer.map(storeTotal)), runs: peer } },
    disk: {
      store: storeDisk,
      peer: peerDisk,
      note: 'blob = large values (segments; the peer keeps small records in leveldb); leveldb = manifest, document records (ids, text, spans, token ids)',
      storeVectorBytesPerToken: storeDisk.blob / tokens,
      storeAllBytesPerToken: (storeDisk.blob + storeDisk.leveldb) / tokens,
      peerBytesPerToken: (peerDisk.blob + peerDisk.leveldb) / tokens,
      vectorGoalBytesPerToken: (1.1 * vectorBudget) / tokens,
    },
    logical: written.stats,
    goals: { coldLoadMs: 1500, bytesPerTokenMax: (1.1 * vectorBudget) / tokens },
  };
  const median = (xs: { openMs: number; loadMs: number }[]): number => summarise(xs.map(storeTotal)).median;
  report('store-browser', json, ['', 'store (segments)', 'peer (record per document)', 'ratio'], [
    ['write, tokens/s', fmt(json.write.store.tokensPerSecond, 0), fmt(json.write.peer.tokensPerSecond, 0), fmt(json.write.store.tokensPerSecond / json.write.peer.tokensPerSecond, 2)],
    [`cold open + load ${tokens} tokens, ms (median of ${RUNS})`, fmt(median(store)), fmt(median(peer)), fmt(median(peer) / median(store), 2)],
    ['reads per load', String(store[0]?.reads ?? 0), String(written.documents), ''],
    ['vector bytes on disk per token (goal ≤ 1.1 × 132 = 145.2)', fmt(storeDisk.blob / tokens, 1), fmt((peerDisk.blob + peerDisk.leveldb) / tokens, 1), ''],
    ['records + spans + ids on disk per token', fmt(storeDisk.leveldb / tokens, 1), 'n/a (vectors only)', ''],
  ]);
} finally {
  rmSync(profile, { recursive: true, force: true });
  await server.close();
}
