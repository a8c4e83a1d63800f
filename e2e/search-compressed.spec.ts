import { expect, test } from '@playwright/test';

// The compressed index as an index setting, in the real worker, IndexedDB and WASM scorer, on the golden fixture
// model (d = 96): small stays exact; over `compressAt` rows the engine trains in the background and codes every
// segment; adds, removes and upserts keep working; `exact: true` scores everything; the setting is kept, enforced
// and carried by the exported file. The uncompressed index of the same documents is the peer. Every handle uses
// the shared worker, so the model loads once.
test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
});

test('createSearch({ nbits: 2 }): exact while small, compressed over compressAt, search / exact / add / remove / export', async ({ page }) => {
  test.setTimeout(300_000);
  const result = await page.evaluate(async (base) => {
    const { createSearch } = window.colbert;
    const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: { code?: string; subject?: string }) => `${e.code} ${e.subject}`);
    const texts = ((await (await fetch(`${base}texts.json`)).json()) as Array<{ text: string }>).map((t) => t.text);
    const model = `${base}checkpoint/`;
    const docs = texts.map((text, i) => ({ id: `t${i}`, text }));
    const queries = ['late interaction in neural information retrieval', 'token vectors and their scores', 'a search engine for documents'];
    const ids = async (s: { search(q: string, o?: object): Promise<Array<{ id: string; score: number }>> }, o: object = {}): Promise<Array<Array<{ id: string; score: number }>>> =>
      Promise.all(queries.map((q) => s.search(q, { k: 5, ...o }))).then((r) => r.map((hits) => hits.map((h) => ({ id: h.id, score: h.score }))));

    const peer = await createSearch({ model, index: `plain-${Math.random()}`, backend: 'wasm', worker: 'shared' });
    await peer.add(docs);
    const peerHits = await ids(peer);
    const peerInfo = await peer.info();
    const queryRows = (await peer.search(queries[0]!, { k: 1, explain: true }))[0]!.matches!.length;
    await peer.close();

    const index = `compressed-${Math.random()}`;
    const t0 = performance.now();
    const search = await createSearch({ model, index, backend: 'wasm', worker: 'shared', nbits: 2, compressAt: 300 });
    await search.add(docs.slice(0, 4));
    const small = await search.info();
    await search.add(docs.slice(4));
    await search.compact(); // waits for what compression has left (training, coding)
    const info = await search.info();
    const pruned = await ids(search);
    const prunedInfo = (await search.info()).lastSearch;
    const exact = await ids(search, { exact: true });
    const exactInfo = (await search.info()).lastSearch;
    const filtered = await search.search(queries[0]!, { k: 40, filter: {} });
    const explained = (await search.search(queries[0]!, { k: 5, explain: true })).map((h) => ({ score: h.score, text: h.text ?? '', matches: h.matches ?? [] }));

    const t1Before = (await search.search(queries[0]!, { k: 40, exact: true })).find((h) => h.id === 't1')!.score;
    // Incremental: an upsert and a new document are coded with the same centroids; a removed one never returns.
    await search.add([{ id: 't1', text: 'an entirely new text about sourdough bread and wild yeast' }, { id: 'fresh', text: 'wild yeast makes sourdough rise' }]);
    await search.remove(['t2']);
    await search.compact();
    const afterAdd = await search.info();
    const yeast = await search.search('sourdough bread and wild yeast', { k: 40 });
    const queryAfter = (await search.search(queries[0]!, { k: 40, exact: true })).map((h) => ({ id: h.id, score: h.score }));
    const blob = await search.export();
    await search.close();
    const t1 = performance.now();

    const reopened = await createSearch({ model, index, backend: 'wasm', worker: 'shared' });
    const reopenedInfo = await reopened.info();
    const reopenedHits = await ids(reopened);
    await reopened.close();
    const copy = await createSearch({ model, index: `copy-${Math.random()}`, backend: 'wasm', worker: 'shared' });
    await copy.import(blob);
    const copyInfo = await copy.info();
    const copyHits = await ids(copy);
    await copy.close();

    // Re-training inside compaction: trained on the first 3 documents, then grown past 4× and compacted.
    const growing = await createSearch({ model, index: `growing-${Math.random()}`, backend: 'wasm', worker: 'shared', nbits: 2, compressAt: 50 });
    await growing.add(docs.slice(0, 3));
    await growing.compact();
    const grownBefore = await growing.info();
    await growing.add(docs.slice(3));
    await growing.compact();
    const grownAfter = await growing.info();
    const grownAll = (await growing.search(queries[0]!, { k: 40 })).length;
    const grownPruned = (await growing.search(queries[1]!, { k: 5 })).map((h) => h.id);
    const grownExact = (await growing.search(queries[1]!, { k: 5, exact: true })).map((h) => h.id);
    await growing.close();

    const badNbits = await code(createSearch({ model, index: `bad-${Math.random()}`, backend: 'wasm', worker: 'shared', nbits: 3 as 2 }));
    const zeroNbits = await code(createSearch({ model, index: `bad-${Math.random()}`, backend: 'wasm', worker: 'shared', nbits: 0 as 2 }));
    const times = { compressedMs: Math.round(t1 - t0), restMs: Math.round(performance.now() - t1) };
    return { times, peerHits, peerInfo, queryRows, small, info, pruned, prunedInfo, exact, exactInfo, filtered: filtered.length, explained, afterAdd, yeast, queryAfter, t1Before, reopenedInfo, reopenedHits, copyInfo, copyHits, badNbits, zeroNbits, grownBefore, grownAfter, grownAll, grownPruned, grownExact };
  }, '/__shared/fixtures/colbert-tiny-golden/');

  console.log(JSON.stringify(result.times));
  // Small stays exact: below compressAt nothing is trained and vectors are int8 (96 values + a 4-byte scale per row).
  expect(result.small).toMatchObject({ nbits: 2, centroids: 0 });
  expect(result.small.bytesPerToken).toBeGreaterThan(100);
  // Over it: trained tables, every row coded: 4 B code + 96·2/8 = 24 B residual + 8 B per document, plus the tables.
  expect(result.info).toMatchObject({ nbits: 2, documents: 40, tokens: result.peerInfo.tokens, compressedScorer: 'wasm-simd' });
  expect(result.info.centroids).toBeGreaterThan(16);
  // At 40 documents the shared tables dominate (why small indexes stay exact): k centroids × 96 dims × 4 B.
  const { tokens, centroids, bytesPerToken } = result.info;
  const coded = 28 * tokens + 8 * 40 + centroids * 96 * 4 + 96 * 7 * 4;
  const cells = 2 ** Math.ceil(Math.log2(centroids) / 2);
  expect(bytesPerToken * tokens).toBeGreaterThanOrEqual(coded);
  expect(bytesPerToken * tokens).toBeLessThanOrEqual(coded + cells * 96 * 4 + (cells + 1) * 4 + 1e-6);
  expect(result.peerInfo).toMatchObject({ nbits: null, centroids: 0, compressedScorer: null });
  // The pruned search is the exact search of the same compressed index (same documents, same scores) ...
  expect(result.prunedInfo?.pruned).toBe(true);
  expect(result.exactInfo).toMatchObject({ pruned: false, candidates: 40, scored: 40 });
  result.pruned.forEach((hits, q) => {
    expect(hits.map((h) => h.id)).toEqual(result.exact[q]!.map((h) => h.id));
    hits.forEach((h, i) => expect(h.score).toBeCloseTo(result.exact[q]![i]!.score, 5));
  });
  // ... and close to the uncompressed index's: this synthetic model's scores lie within ~1 % of each other, so the
  // order may differ, but the top 5 are mostly shared and a shared document's score moves by under 5 %.
  result.pruned.forEach((hits, q) => {
    const peer = new Map(result.peerHits[q]!.map((h) => [h.id, h.score]));
    const shared = hits.filter((h) => peer.has(h.id));
    expect(shared.length).toBeGreaterThanOrEqual(3);
    for (const h of shared) expect(Math.abs(h.score - peer.get(h.id)!) / peer.get(h.id)!).toBeLessThan(0.05);
  });
  expect(result.filtered).toBe(40);
  // Compressed hits are explained like any other: one match per query token (as the uncompressed index gives), each
  // a document token of the hit (a span of its text unless special), the scores adding up to the hit's score.
  expect(result.explained).toHaveLength(5);
  for (const hit of result.explained) {
    expect(hit.matches).toHaveLength(result.queryRows);
    for (const m of hit.matches) {
      expect(m.documentToken.length).toBeGreaterThan(0);
      // A special token ([CLS], the document marker) has no span: start = end = -1.
      if (m.start >= 0) expect(m.end).toBeLessThanOrEqual(hit.text.length);
      else expect(m.end).toBe(-1);
    }
    expect(hit.matches.some((m) => m.start >= 0)).toBe(true);
    const sum = hit.matches.reduce((s, m) => s + m.score, 0);
    expect(Math.abs(sum - hit.score)).toBeLessThanOrEqual(1e-4 * Math.abs(hit.score));
  }

  expect(result.afterAdd).toMatchObject({ documents: 40, nbits: 2, centroids: result.info.centroids });
  // Every live document comes back at k = 40 (the new one and the replaced one coded with the same centroids), the
  // removed one never; the replaced t1 scores as its new text, not its old one.
  const yeastIds = result.yeast.map((h) => h.id);
  const live = ['fresh', ...Array.from({ length: 40 }, (_, i) => `t${i}`).filter((id) => id !== 't2')];
  expect([...yeastIds].sort()).toEqual(live.sort());
  const t1After = result.queryAfter.find((h) => h.id === 't1');
  expect(t1After).toBeDefined();
  expect(Math.abs(t1After!.score - result.t1Before)).toBeGreaterThan(1e-3);

  // Reopened and imported: still compressed with the same tables, the same answers.
  expect(result.reopenedInfo).toMatchObject({ nbits: 2, centroids: result.info.centroids, documents: 40 });
  expect(result.copyInfo).toMatchObject({ nbits: 2, centroids: result.info.centroids, documents: 40, bytesPerToken: result.reopenedInfo.bytesPerToken });
  expect(result.copyHits.map((hits) => hits.map((h) => h.id))).toEqual(result.reopenedHits.map((hits) => hits.map((h) => h.id)));

  // Trained on 3 documents' rows, then on all 40 (4× more): more centroids, every document still found.
  expect(result.grownBefore.centroids).toBeGreaterThan(0);
  expect(result.grownAfter.centroids).toBeGreaterThan(result.grownBefore.centroids);
  expect(result.grownAfter.tokens).toBeGreaterThanOrEqual(4 * result.grownBefore.tokens);
  expect(result.grownAll).toBe(40);
  expect(result.grownPruned).toEqual(result.grownExact);

  expect(result.badNbits).toBe('INVALID_INPUT nbits');
  expect(result.zeroNbits).toBe('INVALID_INPUT nbits');
});
