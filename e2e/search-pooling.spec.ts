import { expect, test } from '@playwright/test';

// Token pooling as an index setting, in the real worker and IndexedDB, on the golden fixture model: the engine
// pools what it adds exactly as PyLate + scipy did for ../shared/fixtures/colbert-tiny-golden/pooled, the factor
// lives with the index (and its exported file), and explanations say which query rows are words and which
// tokens a pooled row stands for.
test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
});

test('createSearch({ poolFactor: 2 }) on colbert-tiny-golden: golden clusters, explanations, the factor kept and enforced', async ({ page }) => {
  test.setTimeout(400_000);
  const result = await page.evaluate(async (base) => {
    const { createSearch } = window.colbert;
    const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`);
    const pooled = await (await fetch(`${base}pooled/pooled.json`)).json();
    const texts = ((await (await fetch(`${base}texts.json`)).json()) as Array<{ text: string }>).map((t) => t.text);
    const model = `${base}checkpoint/`;
    const index = `pooling-${Math.random()}`;
    const search = await createSearch({ model, index, backend: 'wasm', poolFactor: 2 });
    await search.add(texts.map((text, i) => ({ id: `t${i}`, text })), { longDocuments: 'truncate' });
    const info = await search.info();
    // The golden clusters of every document, compared with the rows similarities() reports.
    const clusterMismatches: string[] = [];
    const entries = pooled.entries.filter((e: { pool_factor: number }) => e.pool_factor === 2);
    for (const entry of entries) {
      const s = await search.similarities('late interaction retrieval', `t${entry.text_index}`);
      const sizes = s.documentRows.map((r) => r.tokens.length);
      const want = [1, ...Array.from({ length: entry.shape[0] - 1 }, (_, r) => entry.clusters.filter((c: number) => c === r + 1).length)];
      if (JSON.stringify(sizes) !== JSON.stringify(want)) clusterMismatches.push(`${entry.id}: ${sizes} vs ${want}`);
    }
    const hits = await search.search('late interaction in neural information retrieval', { k: 3, explain: true });
    const heat = await search.similarities('late interaction', hits[0]!.id);
    const reopenedOther = await code(createSearch({ model, index, backend: 'wasm', poolFactor: 3 }));
    const badFactor = await code(createSearch({ model, index: `bad-${Math.random()}`, backend: 'wasm', poolFactor: 0 }));
    const blob = await search.export();
    const copy = await createSearch({ model, index: `pooling-copy-${Math.random()}`, backend: 'wasm' });
    await copy.import(blob);
    const copyInfo = await copy.info();
    const copyHits = await copy.search('late interaction in neural information retrieval', { k: 3 });
    await copy.close();
    await search.close();
    const reopened = await createSearch({ model, index, backend: 'wasm' });
    const reopenedInfo = await reopened.info();
    await reopened.close();
    const goldenRows = entries.reduce((n: number, e: { shape: number[] }) => n + e.shape[0]!, 0);
    const inputRows = entries.reduce((n: number, e: { input_rows: number }) => n + e.input_rows, 0);
    return { info, goldenRows, inputRows, clusterMismatches, hits, heat, reopenedOther, badFactor, copyInfo, copyHits, reopenedInfo };
  }, '/__shared/fixtures/colbert-tiny-golden/');

  expect(result.info.poolFactor).toBe(2);
  expect(result.info.documents).toBe(40);
  // Stored rows: exactly the golden pooled rows, about half the tokens.
  expect(result.info.tokens).toBe(result.goldenRows);
  expect(result.goldenRows).toBeLessThan(result.inputRows * 0.6);
  expect(result.clusterMismatches).toEqual([]);

  const [top] = result.hits;
  const matches = top!.matches!;
  expect(new Set(matches.map((m) => m.queryKind))).toEqual(new Set(['word', 'special', 'expansion']));
  const words = matches.filter((m) => m.queryKind === 'word').map((m) => m.queryToken);
  expect(words).toEqual(['late', 'interaction', 'in', 'neural', 'information', 'retrieval']);
  const specials = matches.filter((m) => m.queryKind === 'special').map((m) => m.queryToken);
  expect(specials[0]).toBe('[CLS]');
  expect(specials.at(-1)).toBe('[SEP]');
  expect(matches.slice(-1)[0]!.queryKind).toBe('expansion');
  // A pooled row lists every token's span, each pointing at that token's text.
  expect(matches.some((m) => m.spans.length > 1)).toBe(true);
  for (const m of matches) {
    expect(m.spans.length).toBeGreaterThan(0);
    expect([m.start, m.end]).toEqual([...m.spans[0]!]);
    const pieces = m.documentToken.split(' ');
    expect(pieces.length).toBe(m.spans.length);
    m.spans.forEach(([start, end], k) => {
      if (start >= 0) expect(top!.text!.slice(start, end).toLowerCase()).toBe(pieces[k]!.replace(/^##/, ''));
    });
  }
  // The heatmap: one column per pooled row, labelled with its tokens.
  expect(result.heat.values.length).toBe(result.heat.queryTokens.length * result.heat.documentTokens.length);
  expect(result.heat.documentRows.length).toBe(result.heat.documentTokens.length);
  expect(result.heat.documentRows.some((r) => r.tokens.length > 1)).toBe(true);
  expect(result.heat.queryKinds.length).toBe(result.heat.queryTokens.length);

  expect(result.reopenedOther).toMatch(/^INDEX_MODEL_MISMATCH: .*poolFactor 2.*poolFactor 3/);
  expect(result.badFactor).toMatch(/^INVALID_INPUT: poolFactor/);
  expect(result.copyInfo.poolFactor).toBe(2);
  expect(result.copyInfo.tokens).toBe(result.goldenRows);
  expect(result.copyHits.map((h) => h.id)).toEqual(result.hits.map((h) => h.id));
  expect(result.reopenedInfo.poolFactor).toBe(2);
});
