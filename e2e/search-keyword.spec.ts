import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';

// Keyword and hybrid search inside the index, in real Chromium with real IndexedDB and workers and the offline
// lexical model: two tabs on one index, BM25 scores checked against a BM25 written here from its formula over the
// live documents (the texts use only words the English analyzer keeps as they are: lowercase, no stop words,
// unchanged by the Porter stemmer), hybrid checked against the two rankings asked for separately, rerank against
// search.

const WORDS = ['heart', 'bread', 'river', 'stone', 'music', 'cloud', 'garden', 'winter', 'paper'];

/** A document of 3 to 8 words of WORDS (seeded, so a failure replays). */
function corpus(count: number, seed: number): { id: string; text: string; metadata: { topic: string } }[] {
  let s = seed >>> 0;
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  return Array.from({ length: count }, (_, i) => ({
    id: `d${i}`,
    text: Array.from({ length: 3 + Math.floor(next() * 6) }, () => WORDS[Math.floor(next() * WORDS.length)]!).join(' '),
    metadata: { topic: i % 3 === 0 ? 'even' : 'odd' },
  }));
}

/** Lucene's BM25 (k1 1.2, b 0.75) of `query` over `docs` (space-separated terms), best first, ties by add order. */
function bm25(docs: readonly { id: string; text: string }[], query: string): { id: string; score: number }[] {
  const terms = docs.map((d) => d.text.split(' '));
  const n = docs.length;
  const avgdl = terms.reduce((sum, t) => sum + t.length, 0) / n;
  const scored = docs.map((d, i) => {
    let score = 0;
    for (const q of query.split(' ')) {
      const df = terms.filter((t) => t.includes(q)).length;
      const tf = terms[i]!.filter((t) => t === q).length;
      if (tf === 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += (idf * tf) / (tf + 1.2 * (1 - 0.75 + (0.75 * terms[i]!.length) / avgdl));
    }
    return { id: d.id, score, i };
  });
  return scored.filter((d) => d.score > 0).sort((a, b) => b.score - a.score || a.i - b.i).map(({ id, score }) => ({ id, score }));
}

function expectRanking(actual: readonly { id: string; score: number }[], expected: readonly { id: string; score: number }[]): void {
  expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  actual.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 9));
}

async function openTab(page: Page, index: string): Promise<void> {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
  await page.evaluate(async (name) => {
    const w = window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> };
    w.search = await window.colbert.createSearch({ model: new URL('/models/lexical/', location.href).href, index: name, backend: 'wasm' });
  }, index);
}

type Call = { method: 'add' | 'remove' | 'compact' | 'keyword' | 'search' | 'rerank' | 'exportImport'; args: unknown[] };

/** Runs one call on a tab's handle; search results come back as plain hits. */
async function call(page: Page, c: Call): Promise<unknown> {
  return page.evaluate(async ({ method, args }) => {
    const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
    const a = args as [never, never];
    switch (method) {
      case 'keyword':
        return search.search(a[0], { k: 1000, mode: 'keyword', ...(a[1] as object | undefined) });
      case 'search':
        return search.search(a[0], a[1]);
      case 'rerank':
        return search.rerank(a[0], a[1]).then(
          (hits) => hits,
          (e: { code?: string; message?: string }) => ({ code: e.code, message: e.message }),
        );
      case 'exportImport': {
        // Export, remove some documents, then import the file back: the index holds what the file holds.
        const file = await search.export();
        await search.remove(a[0]);
        await search.import(file);
        return null;
      }
      case 'compact':
        return search.compact();
      default:
        return (search[method] as (...x: unknown[]) => Promise<unknown>)(...(args as unknown[]));
    }
  }, c);
}

type Hits = { id: string; score: number; text: string; found?: string[]; rankings?: { semantic?: { rank: number }; keyword?: { rank: number } }; keywordMatches?: { term: string; start: number; end: number }[]; matches?: unknown[] }[];

test('keyword and hybrid search: two tabs, BM25 of the live documents through upsert/remove/compact/import, hybrid = both rankings fused, rerank = search scores', async ({ page, context }) => {
  const index = `kw-${Math.random()}`;
  const other = await context.newPage();
  await openTab(page, index);
  await openTab(other, index);
  let live = corpus(30, 17);
  await call(page, { method: 'add', args: [live] });

  // The other tab's keyword search sees these adds after its sync (every operation catches up first).
  const query = 'heart river';
  expectRanking((await call(other, { method: 'keyword', args: [query] })) as Hits, bm25(live, query));

  // Keyword hits: which ranking found them, and where the query's words are in the text.
  const hits = (await call(other, { method: 'keyword', args: [query] })) as Hits;
  for (const hit of hits) {
    expect(hit.found).toEqual(['keyword']);
    const words = [...hit.text.matchAll(/\S+/g)].filter((m) => m[0] === 'heart' || m[0] === 'river').map((m) => ({ term: m[0], start: m.index, end: m.index + m[0].length }));
    expect(hit.keywordMatches).toEqual(words);
  }

  // Filters apply before the ranking.
  const even = live.filter((d) => d.metadata.topic === 'even');
  const filtered = (await call(other, { method: 'keyword', args: [query, { filter: { topic: 'even' } }] })) as Hits;
  expect(filtered.length).toBeGreaterThan(0);
  expectRanking(filtered, bm25(live, query).filter((h) => even.some((d) => d.id === h.id)));

  // Upsert in one tab, remove in the other: BM25 over exactly the live documents, in both tabs.
  const upserted = { id: 'd1', text: 'heart heart heart river', metadata: { topic: 'odd' } };
  await call(other, { method: 'add', args: [[upserted]] });
  await call(page, { method: 'remove', args: [['d2', 'd3', 'd4']] });
  live = [...live.filter((d) => !['d1', 'd2', 'd3', 'd4'].includes(d.id)), upserted];
  expectRanking((await call(page, { method: 'keyword', args: [query] })) as Hits, bm25(live, query));
  expectRanking((await call(other, { method: 'keyword', args: [query] })) as Hits, bm25(live, query));
  await call(other, { method: 'compact', args: [] });
  expectRanking((await call(page, { method: 'keyword', args: [query] })) as Hits, bm25(live, query));
  expectRanking((await call(other, { method: 'keyword', args: ['stone'] })) as Hits, bm25(live, 'stone'));

  // An exported file imported (here after removing documents it holds) brings them back, in both tabs.
  await call(page, { method: 'exportImport', args: [['d5', 'd6']] });
  expectRanking((await call(page, { method: 'keyword', args: [query] })) as Hits, bm25(live, query));
  expectRanking((await call(other, { method: 'keyword', args: [query] })) as Hits, bm25(live, query));

  // Hybrid: the union of both rankings (each 100 deep), fused by RRF (k 60), `found` and `rankings` right.
  const semantic = (await call(page, { method: 'search', args: [query, { k: 100, filter: { topic: 'odd' } }] })) as Hits;
  const keyword = (await call(page, { method: 'keyword', args: [query, { filter: { topic: 'odd' } }] })) as Hits;
  const hybrid = (await call(page, { method: 'search', args: [query, { k: 100, mode: 'hybrid', filter: { topic: 'odd' }, explain: true }] })) as Hits;
  const rrf = new Map<string, number>();
  semantic.forEach((h, i) => rrf.set(h.id, 1 / (61 + i)));
  keyword.forEach((h, i) => rrf.set(h.id, (rrf.get(h.id) ?? 0) + 1 / (61 + i)));
  expect(new Set(hybrid.map((h) => h.id))).toEqual(new Set(rrf.keys()));
  expect(semantic.length).toBeGreaterThan(keyword.length); // some hits only the model found
  for (const hit of hybrid) {
    const s = semantic.findIndex((h) => h.id === hit.id);
    const kw = keyword.findIndex((h) => h.id === hit.id);
    expect(hit.found).toEqual([...(s >= 0 ? ['semantic'] : []), ...(kw >= 0 ? ['keyword'] : [])]);
    expect(hit.rankings?.semantic?.rank).toBe(s >= 0 ? s + 1 : undefined);
    expect(hit.rankings?.keyword?.rank).toBe(kw >= 0 ? kw + 1 : undefined);
    expect(hit.score).toBeCloseTo(rrf.get(hit.id)!, 12);
    expect(hit.matches !== undefined).toBe(s >= 0);
    expect(hit.keywordMatches !== undefined).toBe(kw >= 0);
  }
  for (let i = 1; i < hybrid.length; i++) expect(hybrid[i - 1]!.score).toBeGreaterThanOrEqual(hybrid[i]!.score);
  const weighted = (await call(page, { method: 'search', args: [query, { k: 5, mode: 'hybrid', fusion: 'weighted', semanticWeight: 0 }] })) as Hits;
  const keywordTop = (await call(page, { method: 'keyword', args: [query] })) as Hits;
  // Weight 0 on the model: the keyword ranking's order (its best hit normalises to 1).
  expect(weighted.map((h) => h.id)).toEqual(keywordTop.slice(0, 5).map((h) => h.id));
  expect(weighted[0]!.score).toBeCloseTo(1, 12);

  // Rerank: ids scored from the stored vectors give exactly the search's scores; a text in no index is encoded.
  const all = (await call(other, { method: 'search', args: [query, { k: 1000 }] })) as Hits;
  const ids = ['d9', 'd5', 'd1', 'd20'];
  const reranked = (await call(other, { method: 'rerank', args: [query, [...ids, { id: 'new', text: 'heart river heart' }]] })) as Hits;
  expect(reranked.map((h) => h.id).sort()).toEqual([...ids, 'new'].sort());
  for (const hit of reranked.filter((h) => h.id !== 'new')) expect(Math.abs(hit.score - all.find((h) => h.id === hit.id)!.score)).toBeLessThan(1e-5);
  for (const hit of reranked) expect(hit.matches?.length).toBeGreaterThan(0);
  for (let i = 1; i < reranked.length; i++) expect(reranked[i - 1]!.score).toBeGreaterThanOrEqual(reranked[i]!.score);
  const unknown = (await call(other, { method: 'rerank', args: [query, ['d9', 'd3']] })) as { code: string; message: string };
  expect(unknown.code).toBe('INVALID_INPUT');
  expect(unknown.message).toContain('"d3"');
  const badMode = await page.evaluate(async () => {
    const search = (window as unknown as { search: Awaited<ReturnType<typeof window.colbert.createSearch>> }).search;
    return search.search('heart', { mode: 'lexical' as never }).then(
      () => 'resolved',
      (e: { code?: string }) => e.code,
    );
  });
  expect(badMode).toBe('INVALID_INPUT');
  await Promise.all([page, other].map((p) => p.evaluate(() => (window as unknown as { search: { close(): Promise<void> } }).search.close())));
});
