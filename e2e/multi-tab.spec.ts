import { expect, test } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';

// Several pages of one origin on one index, as users open apps in several tabs: every page's searches converge on
// every page's commits, through the shared engine (default) and through dedicated workers (SharedWorker removed
// from the page, so createSearch falls back). Real IndexedDB, real workers, the offline lexical model.

type Mode = 'shared' | 'fallback';
const PAGES = 3;
const ROUNDS = 10;

/** A seeded PRNG so a failing interleaving can be replayed (the seed is in the test title). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['heart', 'bread', 'river', 'stone', 'music', 'cloud', 'garden', 'engine', 'winter', 'paper'];

/** Uncaught errors of any page (the SDK must report failures through its promises, never only as these). */
const uncaught: string[] = [];
test.beforeEach(() => void uncaught.splice(0));
test.afterEach(() => expect(uncaught).toEqual([]));

async function openPages(context: BrowserContext, mode: Mode, count: number): Promise<Page[]> {
  if (mode === 'fallback') await context.addInitScript(() => Reflect.deleteProperty(globalThis, 'SharedWorker'));
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    page.on('pageerror', (e) => uncaught.push(e.message));
    await page.goto('/harness/encoder.html');
    await page.waitForFunction(() => window.harnessReady);
    pages.push(page);
  }
  return pages;
}

/** Opens the index in a page and keeps the handle on window.search. */
async function openIndex(page: Page, index: string, mode: Mode): Promise<void> {
  // The harness page is cross-origin isolated, where 'auto' picks dedicated workers: ask for the shared one.
  await page.evaluate(async ({ name, worker }) => {
    const w = window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> };
    w.search = await window.colbert.createSearch({ model: '/models/lexical/', index: name, backend: 'wasm', ...(worker ? { worker } : {}) });
  }, { name: index, worker: mode === 'shared' ? ('shared' as const) : undefined });
}

interface View {
  all: string[];
  top: { id: string; score: number }[];
  documents: number;
  worker: { kind: string; clients: number; fallback?: string };
}

/** What a page sees now: every searchable id (k above the corpus size), the top 10, and what info() says. */
async function view(page: Page): Promise<View> {
  return page.evaluate(async () => {
    const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
    const hits = await search.search('common', { k: 10_000 });
    const info = await search.info();
    return {
      all: hits.map((h) => h.id).sort(),
      top: hits.slice(0, 10).map((h) => ({ id: h.id, score: h.score })),
      documents: info.documents,
      worker: info.worker,
    };
  });
}

/** Polls every page until all see exactly `expected`; returns the slowest page's delay after `since`. */
async function convergence(pages: Page[], expected: string[], since: number): Promise<{ ms: number; views: View[] }> {
  const views: View[] = [];
  let slowest = 0;
  for (const page of pages) {
    for (;;) {
      const v = await view(page);
      if (JSON.stringify(v.all) === JSON.stringify(expected)) {
        views.push(v);
        slowest = Math.max(slowest, Date.now() - since);
        break;
      }
      if (Date.now() - since > 5_000) {
        expect(v.all, 'a page never saw the other pages’ commits').toEqual(expected);
      }
      await page.waitForTimeout(25);
    }
  }
  return { ms: slowest, views };
}

for (const mode of ['shared', 'fallback'] as const) {
  test(`${mode}: ${PAGES} pages adding, upserting and removing concurrently converge within 1 s, ${ROUNDS} seeded rounds, then after reload`, async ({ context }) => {
    const pages = await openPages(context, mode, PAGES);
    const index = `tabs-${mode}-${Math.random()}`;
    for (const page of pages) await openIndex(page, index, mode);
    const random = prng(mode === 'shared' ? 12 : 13);
    const live = new Map<string, string>(); // id → text, the test's own account of what must be searchable
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Plan the round so no two pages touch the same id: each adds new ids and upserts one of its own, and removes
      // one id of the next page's that the next page leaves alone this round.
      const own = (p: number): string[] => [...live.keys()].filter((id) => id.startsWith(`p${p}-`));
      const plans = pages.map((_, p) => {
        const adds = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => {
          const words = Array.from({ length: 3 }, () => WORDS[Math.floor(random() * WORDS.length)]!);
          return { id: `p${p}-${round}-${i}`, text: `common ${words.join(' ')} ${round}` };
        });
        const mine = own(p);
        const upsert = mine.length ? { id: mine[Math.floor(random() * mine.length)]!, text: `common upserted ${round}` } : undefined;
        return { adds, upsert };
      });
      const removals = pages.map((_, p) => {
        const next = (p + 1) % PAGES;
        const candidates = own(next).filter((id) => id !== plans[next]!.upsert?.id);
        return candidates.length && random() < 0.7 ? candidates[Math.floor(random() * candidates.length)] : undefined;
      });
      const order = pages.map((_, p) => p).sort(() => random() - 0.5);
      await Promise.all(
        order.map((p) =>
          pages[p]!.evaluate(
            async ({ adds, upsert, remove, removeFirst }) => {
              const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
              if (removeFirst && remove) await search.remove([remove]);
              await search.add(upsert ? [...adds, upsert] : adds);
              if (!removeFirst && remove) await search.remove([remove]);
            },
            { adds: plans[p]!.adds, upsert: plans[p]!.upsert, remove: removals[p], removeFirst: random() < 0.5 },
          ),
        ),
      );
      const committed = Date.now();
      for (const [p, plan] of plans.entries()) {
        for (const d of plan.adds) live.set(d.id, d.text);
        if (plan.upsert) live.set(plan.upsert.id, plan.upsert.text);
        const removed = removals[p];
        if (removed) live.delete(removed);
      }
      const expected = [...live.keys()].sort();
      const { ms, views } = await convergence(pages, expected, committed);
      delays.push(ms);
      for (const v of views) {
        expect(v.documents, 'info().documents equals what search covers').toBe(expected.length);
        expect(v.top).toEqual(views[0]!.top);
      }
    }
    // Every page's view is the same, and so is each page's after a reload of all of them.
    const before = await view(pages[0]!);
    if (mode === 'shared') expect(before.worker).toMatchObject({ kind: 'shared', clients: PAGES });
    else expect(before.worker).toMatchObject({ kind: 'dedicated', clients: 1, fallback: 'unavailable' });
    for (const page of pages) {
      await page.reload();
      await page.waitForFunction(() => window.harnessReady);
      await openIndex(page, index, mode);
    }
    for (const page of pages) {
      const after = await view(page);
      expect(after.all).toEqual(before.all);
      expect(after.top).toEqual(before.top);
      expect(after.documents).toBe(live.size);
    }
    console.log(`${mode}: convergence after the last commit, ms per round: ${delays.join(', ')}`);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
  });

  test(`${mode}: a page closed in the middle of its add leaves whole steps only; the other pages keep working`, async ({ context }) => {
    const [a, b, c] = await openPages(context, mode, 3);
    const index = `close-${mode}-${Math.random()}`;
    for (const page of [a!, b!, c!]) await openIndex(page, index, mode);
    const docs = Array.from({ length: 2000 }, (_, i) => ({ id: `a-${String(i).padStart(4, '0')}`, text: `common ${WORDS[i % WORDS.length]} document number ${i}` }));
    // Start a long add in page a; close the page once its first steps are committed.
    await a!.evaluate((list) => {
      const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
      const w = window as unknown as { firstStep: Promise<void> };
      w.firstStep = new Promise<void>((resolve) => {
        void search.add(list, { onProgress: (e) => e.loaded >= 32 && resolve() }).catch(() => undefined);
      });
    }, docs);
    await a!.evaluate(() => (window as unknown as { firstStep: Promise<void> }).firstStep);
    await a!.close();
    // The other pages: their own add and searches work; what page a committed stays, in whole steps of 16.
    await b!.evaluate(async () => {
      const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
      await search.add([{ id: 'b-1', text: 'common written by page b' }]);
    });
    const settle = async (): Promise<string[]> => (await view(c!)).all.filter((id) => id.startsWith('a-'));
    await c!.waitForTimeout(1500);
    const first = await settle();
    await c!.waitForTimeout(1500);
    const second = await settle();
    expect(second, 'the closed page’s add stopped').toEqual(first);
    expect(first.length % 16).toBe(0);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(first.length).toBeLessThan(docs.length);
    expect(first).toEqual(docs.slice(0, first.length).map((d) => d.id));
    const seen = await view(b!);
    expect(seen.all).toContain('b-1');
    expect(seen.documents).toBe(first.length + 1);
    if (mode === 'shared') expect(seen.worker.clients).toBe(2);
  });
}

test('inside the SharedWorker: what runs (WebGPU, threads, isolation) is reported, and WebGPU search matches WASM', async ({ context }) => {
  const [page] = await openPages(context, 'shared', 1);
  const result = await page!.evaluate(async () => {
    const { createSearch } = window.colbert;
    const docs = [
      { id: 'a', text: 'common heart attack risk and aspirin' },
      { id: 'b', text: 'common bread dough rises with yeast' },
      { id: 'c', text: 'common heart shaped bread for valentines' },
    ];
    const run = async (backend: 'wasm' | 'webgpu', worker: 'shared' | 'dedicated') => {
      const search = await createSearch({ model: '/models/lexical/', index: `hw-${backend}-${worker}`, backend, worker });
      await search.add(docs);
      const hits = (await search.search('heart bread', { k: 3 })).map((h) => ({ id: h.id, score: h.score }));
      const info = await search.info();
      await search.close();
      return { hits, encoder: info.encoder, scorer: info.scorer, worker: info.worker };
    };
    const auto = await createSearch({ model: '/models/lexical/', index: 'hw-auto' });
    const autoWorker = (await auto.info()).worker;
    await auto.close();
    return {
      autoWorker,
      pageIsolated: crossOriginIsolated,
      sharedWasm: await run('wasm', 'shared'),
      dedicatedWasm: await run('wasm', 'dedicated'),
      sharedGpu: await run('webgpu', 'shared').catch((e: { code?: string; message?: string }) => ({ error: e.code ?? String(e), message: e.message })),
    };
  });
  console.log(`shared worker: ${JSON.stringify({ wasm: result.sharedWasm.encoder, worker: result.sharedWasm.worker, webgpu: 'error' in result.sharedGpu ? result.sharedGpu : result.sharedGpu.encoder })}`);
  expect(result.pageIsolated).toBe(true);
  // 'auto' on an isolated page keeps WASM threads in a dedicated worker: Chromium does not isolate SharedWorkers.
  expect(result.autoWorker).toMatchObject({ kind: 'dedicated', fallback: 'cross-origin-isolated', crossOriginIsolated: true });
  expect(result.dedicatedWasm.worker).toMatchObject({ kind: 'dedicated', crossOriginIsolated: true });
  expect(result.sharedWasm.worker.kind).toBe('shared');
  // What the shared worker reports must be what it runs with: threads only where it is isolated.
  const sharedThreads = (result.sharedWasm.encoder as { threads?: number }).threads;
  if (!result.sharedWasm.worker.crossOriginIsolated) expect(sharedThreads).toBe(1);
  expect(result.sharedWasm.hits).toEqual(result.dedicatedWasm.hits);
  // WebGPU is exposed in Chromium's SharedWorker: the encoder and the scorer run there and rank the same.
  if ('error' in result.sharedGpu) throw new Error(`WebGPU in the SharedWorker failed: ${result.sharedGpu.message}`);
  expect(result.sharedGpu.encoder.name).toBe('webgpu');
  // Its node placement is read even though a WASM session started onnxruntime in that worker first.
  expect(result.sharedGpu.encoder).toMatchObject({ fallbackNodes: 0, placement: { cpuFallback: [] } });
  expect(result.sharedGpu.scorer).toBe('webgpu');
  expect(result.sharedGpu.hits.map((h) => h.id)).toEqual(result.dedicatedWasm.hits.map((h) => h.id));
  result.sharedGpu.hits.forEach((h, i) => expect(Math.abs(h.score - result.dedicatedWasm.hits[i]!.score)).toBeLessThan(1e-4));
});

test("'auto' on a page that is not cross-origin isolated runs the shared engine", async ({ context }) => {
  // The same harness, served without COOP/COEP.
  await context.route('**/harness/encoder.html', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  const [page] = await openPages(context, 'shared', 1);
  const worker = await page!.evaluate(async () => {
    const search = await window.colbert.createSearch({ model: '/models/lexical/', index: 'plain-page' });
    await search.add([{ id: 'x', text: 'common words' }]);
    const info = await search.info();
    await search.close();
    return { isolated: crossOriginIsolated, worker: info.worker, documents: info.documents };
  });
  expect(worker).toEqual({ isolated: false, worker: { kind: 'shared', clients: 1, crossOriginIsolated: false }, documents: 1 });
});

test('a catch-up that fails is a typed error on the next search and in info(), and heals once the index is readable', async ({ context }) => {
  const [page, writer] = await openPages(context, 'shared', 2);
  const index = `corrupt-${Math.random()}`;
  await openIndex(page!, index, 'shared');
  await page!.evaluate(async () => {
    const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
    await search.add([{ id: 'ok', text: 'common healthy document' }]);
  });
  // Another writer commits a segment whose checksum is wrong (raw IndexedDB, as a buggy or older client could).
  const commit = (corrupt: boolean) =>
    writer!.evaluate(
      async ({ name, corrupt }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open(`colbert-web/index/${name}`);
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        const tx = db.transaction(['manifest', 'segments'], 'readwrite');
        const get = <T,>(store: string, key: IDBValidKey) =>
          new Promise<T>((resolve) => {
            const r = tx.objectStore(store).get(key);
            r.onsuccess = () => resolve(r.result as T);
          });
        type Entry = { id: number; firstSeq: number; lastSeq: number };
        const m = await get<{ generation: number; nextSeq: number; nextSegment: number; segments: Entry[] }>('manifest', 'manifest');
        if (corrupt) {
          const last = m.segments[m.segments.length - 1]!;
          const record = await get<{ id: number; seqs: Uint32Array; crc: number }>('segments', last.id);
          const shift = m.nextSeq - last.firstSeq;
          const id = m.nextSegment;
          tx.objectStore('segments').put({ ...record, id, seqs: record.seqs.map((s) => s + shift), crc: record.crc ^ 1 });
          const entry = { ...last, id, firstSeq: last.firstSeq + shift, lastSeq: last.lastSeq + shift };
          tx.objectStore('manifest').put({ ...m, generation: m.generation + 1, nextSeq: entry.lastSeq + 1, nextSegment: id + 1, segments: [...m.segments, entry] }, 'manifest');
        } else {
          // Repair: drop the bad segment again.
          tx.objectStore('manifest').put({ ...m, generation: m.generation + 1, segments: m.segments.slice(0, -1) }, 'manifest');
        }
        await new Promise((resolve) => (tx.oncomplete = resolve));
        db.close();
      },
      { name: index, corrupt },
    );
  const probe = () =>
    page!.evaluate(async () => {
      const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
      const searched = await search.search('common', { k: 5 }).then(
        (hits) => ({ hits: hits.map((h) => h.id) }),
        (e: { code?: string; message?: string }) => ({ code: e.code, message: e.message }),
      );
      const info = await search.info();
      return { searched, sync: info.sync, documents: info.documents };
    });
  await commit(true);
  const broken = await probe();
  expect(broken.searched).toMatchObject({ code: 'INDEX_CORRUPT', message: expect.stringContaining('could not load what was committed to it elsewhere') });
  expect(broken.sync.error?.code).toBe('INDEX_CORRUPT');
  expect(broken.documents).toBe(1); // what searches covered before the failure
  await commit(false);
  const healed = await probe();
  expect(healed.searched).toEqual({ hits: ['ok'] });
  expect(healed.sync.error).toBeUndefined();
});
