/**
 * Several tabs of one origin on one index, in headless Chromium: what the shared engine (one SharedWorker for all
 * tabs) costs and saves against the peer, a dedicated worker per tab, measured in the same run.
 *
 * - Search latency from a tab: shared vs dedicated, both with 1 WASM thread (a SharedWorker is never cross-origin
 *   isolated in Chromium, so it has 1; the dedicated worker is measured with 1 too, and with its default threads for
 *   context), lexical model, a SciFact subset already indexed.
 * - A long add in one tab while another tab searches: the other tab's search latency during the add vs idle, and
 *   the time of one add step (16 documents) for scale.
 * - Memory: the browser's processes (PSS, all of them) with 1 and 3 tabs on the answerai-small shape (seeded
 *   weights, 134 MB of fp32 safetensors): shared decodes the model once, dedicated once per tab.
 *
 *   npx tsx bench/multi-tab-browser.ts [--docs 1000] [--queries 60] [--long-add 320]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { createServer } from 'vite';
import { generatePreset, writeCheckpoint } from '@colbert-web/fixtures';
import { scifactDocuments, scifactQueries } from './corpus.js';
import { environment, fmt, report, summarise } from './stats.js';
import type { Summary } from './stats.js';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '1000' }, queries: { type: 'string', default: '60' }, 'long-add': { type: 'string', default: '320' } },
});
const DOCS = Number(values.docs);
const QUERIES = Number(values.queries);
const LONG_ADD = Number(values['long-add']);
const PORT = 5196;
const ORIGIN = `http://localhost:${PORT}`;

const answerai = join(import.meta.dirname, '.models/answerai-small');
if (!existsSync(join(answerai, 'model.safetensors'))) await writeCheckpoint(answerai, generatePreset('answerai-small'));

const documents = scifactDocuments(DOCS + LONG_ADD).map((text, i) => ({ id: `d${i}`, text }));
const queries = scifactQueries(QUERIES);

type Worker = 'shared' | 'dedicated';
/** A harness page with its search handle on window.search (set by `open`). */
type Tab = { search: Awaited<ReturnType<typeof window.colbert.createSearch>> };
interface Open {
  readonly model: string;
  readonly index: string;
  readonly worker: Worker;
  readonly threads?: number;
}

const server = await createServer({ configFile: join(import.meta.dirname, '../vite.config.ts'), logLevel: 'warn', server: { port: PORT, strictPort: true } });
await server.listen();
/** A browser and the pid of its process (a server, so the process tree can be measured). */
async function launch(): Promise<{ browser: Browser; pid: number; close: () => Promise<void> }> {
  const server = await chromium.launchServer({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const browser = await chromium.connect(server.wsEndpoint());
  return { browser, pid: server.process().pid!, close: () => server.close() };
}

async function newTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${ORIGIN}/harness/encoder.html`);
  await page.waitForFunction(() => window.harnessReady === true, undefined, { timeout: 120_000 });
  return page;
}

/** Opens the index in the tab (window.search) and waits for one search, so the model is loaded and run. */
async function open(page: Page, options: Open): Promise<void> {
  await page.evaluate(async ({ model, index, worker, threads }) => {
    const w = window as unknown as Tab;
    w.search = await window.colbert.createSearch({ model, index, backend: 'wasm', worker, ...(threads ? { threads } : {}) });
    await w.search.search('warm up');
  }, options);
}

async function add(page: Page, docs: readonly { id: string; text: string }[]): Promise<number> {
  return page.evaluate(async (d) => {
    const started = performance.now();
    await (window as unknown as Tab).search.add(d);
    return performance.now() - started;
  }, docs);
}

/** Each query's latency as the tab sees it (facade call to resolved hits). */
async function searchTimes(page: Page, texts: readonly string[]): Promise<number[]> {
  return page.evaluate(async (qs) => {
    const search = (window as unknown as Tab).search;
    const times: number[] = [];
    for (const q of qs) {
      const started = performance.now();
      await search.search(q, { k: 10 });
      times.push(performance.now() - started);
    }
    return times;
  }, texts);
}

async function info(page: Page): Promise<{ threads: number; worker: string; documents: number }> {
  return page.evaluate(async () => {
    const i = await (window as unknown as Tab).search.info();
    return { threads: i.encoder.threads, worker: i.worker.kind, documents: i.documents };
  });
}

/** Proportional set size of the browser process and all its descendants, in MB (shared pages counted once). */
function browserPss(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let kb = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    stack.push(...(children.get(pid) ?? []));
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // The process ended while we looked.
    }
  }
  return kb / 1024;
}

/** Latency of the same queries from a second tab, shared vs dedicated, on an index the first tab filled. */
async function latency(worker: Worker, threads: number | undefined): Promise<{ search: Summary; threads: number; worker: string }> {
  const { browser, pid, close } = await launch();
  try {
    const context = await browser.newContext();
    const [writer, reader] = [await newTab(context), await newTab(context)];
    const index = `latency-${worker}-${threads ?? 'default'}`;
    const options = { model: '/models/lexical/', index, worker, ...(threads ? { threads } : {}) };
    await open(writer, options);
    await add(writer, documents.slice(0, DOCS));
    await open(reader, options);
    await searchTimes(reader, queries.slice(0, 10));
    const times = await searchTimes(reader, queries);
    return { search: summarise(times), ...(await info(reader)) };
  } finally {
    await close();
  }
}

/** Tab B's searches while tab A adds LONG_ADD documents, against B's idle searches and one add step. */
async function longAdd(worker: Worker): Promise<{ idle: Summary; duringAdd: Summary; addMs: number; stepMs: number }> {
  const { browser, pid, close } = await launch();
  try {
    const context = await browser.newContext();
    const [a, b] = [await newTab(context), await newTab(context)];
    const options = { model: '/models/lexical/', index: `long-add-${worker}`, worker, threads: 1 };
    await open(a, options);
    await add(a, documents.slice(0, DOCS));
    await open(b, options);
    const idle = await searchTimes(b, queries);
    const step = await add(a, documents.slice(DOCS, DOCS + 16));
    const adding = add(a, documents.slice(DOCS + 16, DOCS + LONG_ADD));
    const during: number[] = [];
    let done = false;
    void adding.then(() => (done = true));
    while (!done) during.push(...(await searchTimes(b, queries.slice(during.length % QUERIES, (during.length % QUERIES) + 1))));
    return { idle: summarise(idle), duringAdd: summarise(during), addMs: await adding, stepMs: step };
  } finally {
    await close();
  }
}

/** Browser memory with 1 and 3 tabs on the answerai-small shape, each tab having run one search. */
async function memory(worker: Worker): Promise<{ oneTabMb: number; threeTabsMb: number; baselineThreeTabsMb: number }> {
  const { browser, pid, close } = await launch();
  try {
    const context = await browser.newContext();
    const tabs = [await newTab(context), await newTab(context), await newTab(context)];
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1500));
    await settle();
    const baselineThreeTabsMb = browserPss(pid);
    const options = { model: '/__bench/answerai-small/', index: `memory-${worker}`, worker, threads: 1 };
    await open(tabs[0]!, options);
    await settle();
    const oneTabMb = browserPss(pid);
    await open(tabs[1]!, options);
    await open(tabs[2]!, options);
    await settle();
    return { oneTabMb, threeTabsMb: browserPss(pid), baselineThreeTabsMb };
  } finally {
    await close();
  }
}

try {
  const runs = {
    shared: await latency('shared', 1),
    dedicated: await latency('dedicated', 1),
    dedicatedDefaultThreads: await latency('dedicated', undefined),
  };
  const adds = { shared: await longAdd('shared'), dedicated: await longAdd('dedicated') };
  const mem = { shared: await memory('shared'), dedicated: await memory('dedicated') };
  const json = { environment: environment(), documents: DOCS, queries: QUERIES, longAdd: LONG_ADD, latency: runs, longAddRuns: adds, memoryMb: mem };
  const extra = runs.shared.search.median - runs.dedicated.search.median;
  report('multi-tab-browser', json, ['', 'shared (SharedWorker)', 'dedicated (peer)', 'shared − dedicated'], [
    [`search p50 ms (${DOCS} SciFact docs, lexical, 1 thread)`, fmt(runs.shared.search.median, 2), fmt(runs.dedicated.search.median, 2), fmt(extra, 2)],
    ['search p95 ms', fmt(runs.shared.search.p95, 2), fmt(runs.dedicated.search.p95, 2), fmt(runs.shared.search.p95 - runs.dedicated.search.p95, 2)],
    [`search p50 ms, dedicated with ${runs.dedicatedDefaultThreads.threads} threads`, '', fmt(runs.dedicatedDefaultThreads.search.median, 2), ''],
    ['idle search p50 / p95 ms (tab B)', `${fmt(adds.shared.idle.median, 2)} / ${fmt(adds.shared.idle.p95, 2)}`, `${fmt(adds.dedicated.idle.median, 2)} / ${fmt(adds.dedicated.idle.p95, 2)}`, ''],
    [`search during tab A's add of ${LONG_ADD - 16} docs p50 / p95 / max ms`, `${fmt(adds.shared.duringAdd.median, 1)} / ${fmt(adds.shared.duringAdd.p95, 1)} / ${fmt(Math.max(...adds.shared.duringAdd.samples), 1)}`, `${fmt(adds.dedicated.duringAdd.median, 1)} / ${fmt(adds.dedicated.duringAdd.p95, 1)} / ${fmt(Math.max(...adds.dedicated.duringAdd.samples), 1)}`, ''],
    ['one add step (16 docs) ms', fmt(adds.shared.stepMs, 1), fmt(adds.dedicated.stepMs, 1), ''],
    ['browser PSS MB, 3 tabs, no index open', fmt(mem.shared.baselineThreeTabsMb, 0), fmt(mem.dedicated.baselineThreeTabsMb, 0), ''],
    ['browser PSS MB, 1 tab on answerai-small', fmt(mem.shared.oneTabMb, 0), fmt(mem.dedicated.oneTabMb, 0), fmt(mem.shared.oneTabMb - mem.dedicated.oneTabMb, 0)],
    ['browser PSS MB, 3 tabs on answerai-small', fmt(mem.shared.threeTabsMb, 0), fmt(mem.dedicated.threeTabsMb, 0), fmt(mem.shared.threeTabsMb - mem.dedicated.threeTabsMb, 0)],
    ['MB added by tabs 2 and 3', fmt(mem.shared.threeTabsMb - mem.shared.oneTabMb, 0), fmt(mem.dedicated.threeTabsMb - mem.dedicated.oneTabMb, 0), ''],
  ]);
} finally {
  await server.close();
}
