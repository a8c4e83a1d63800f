import { expect, test } from '@playwright/test';

// Golden parity in a real Chromium Web Worker on WASM, against PyLate's reference (../shared/fixtures).
// Runs on both the dev server and the production build: worker bundling differs between the two.

const FIXTURES = ['colbert-tiny-golden', 'modernbert-tiny-golden'] as const;

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady === true);
});

for (const fixture of FIXTURES) {
  test(`${fixture}: every text as query and document matches the reference within 1e-5 (WASM worker)`, async ({ page }) => {
    const result = await page.evaluate(async (base) => {
      const ref = await (await fetch(`${base}reference/reference.json`)).json();
      const bin = new Float32Array(await (await fetch(`${base}reference/reference.bin`)).arrayBuffer());
      const encoder = await window.colbert.createEncoder({ model: `${base}checkpoint/`, backend: 'wasm' });
      const inputs = ref.entries.map((e: { text: string; mode: 'query' | 'document' }) => ({ text: e.text, kind: e.mode }));
      const encoded = await encoder.encode(inputs);
      const info = await encoder.info();
      await encoder.close();
      return { comparison: window.golden.compareWithReference(ref.entries, bin, encoded), backend: info.backend, entries: ref.entries.length };
    }, `/__shared/fixtures/${fixture}/`);
    expect(result.backend.name).toBe('wasm');
    expect(result.comparison.idMismatches).toEqual([]);
    expect(result.comparison.comparedRows).toBeGreaterThan(result.entries);
    expect(result.comparison.maxAbs).toBeLessThanOrEqual(1e-5);
    console.log(`${fixture}: max |Δ| ${result.comparison.maxAbs.toExponential(2)} over ${result.comparison.comparedRows} rows, threads ${result.backend.threads}`);
  });
}

test('colbert-tiny-golden: documents pooled at factors 2 and 3 in the worker equal the golden pooled rows within 1e-5', async ({ page }) => {
  const result = await page.evaluate(async (base) => {
    const pooled = await (await fetch(`${base}pooled/pooled.json`)).json();
    const bin = new Float32Array(await (await fetch(`${base}pooled/pooled.bin`)).arrayBuffer());
    const texts = ((await (await fetch(`${base}texts.json`)).json()) as Array<{ text: string }>).map((t) => ({ text: t.text, kind: 'document' as const }));
    const encoder = await window.colbert.createEncoder({ model: `${base}checkpoint/`, backend: 'wasm' });
    let worst = 0;
    let compared = 0;
    const failures: string[] = [];
    for (const factor of [2, 3]) {
      const encoded = await encoder.encode(texts, { poolFactor: factor, longDocuments: 'truncate' });
      for (const entry of pooled.entries.filter((e: { pool_factor: number }) => e.pool_factor === factor)) {
        const e = encoded[entry.text_index]!;
        const diff = window.goldenPooled.pooledDiff(e.vectors, e.rows, entry, bin);
        if (!(diff <= 1e-5) || e.tokenRows?.length !== entry.input_rows) failures.push(`${entry.id}/${factor}: ${diff}`);
        worst = Math.max(worst, diff);
        compared++;
      }
    }
    let queryCode: string | undefined;
    try {
      await encoder.encode([{ text: 'q', kind: 'query' }], { poolFactor: 2 });
    } catch (e) {
      queryCode = (e as { code?: string }).code;
    }
    await encoder.close();
    return { worst, compared, failures, queryCode };
  }, '/__shared/fixtures/colbert-tiny-golden/');
  expect(result.failures).toEqual([]);
  expect(result.compared).toBe(80);
  expect(result.worst).toBeLessThanOrEqual(1e-5);
  expect(result.queryCode).toBe('INVALID_INPUT');
  console.log(`pooled parity in the worker: 80 matrices, max |Δ| ${result.worst.toExponential(2)}`);
});

test('errors cross the worker boundary with their code, and a missing checkpoint file is named', async ({ page }) => {
  const error = await page.evaluate(async () => {
    try {
      await window.colbert.createEncoder({ model: '/__shared/fixtures/no-such-model/' });
      return null;
    } catch (e) {
      return { isColbertError: e instanceof window.colbert.ColbertError, code: (e as { code?: string }).code, message: (e as Error).message };
    }
  });
  expect(error).toMatchObject({ isColbertError: true, code: 'MODEL_FILE_MISSING' });
  expect(error!.message).toContain('modules.json');
});

test('bad input is a typed error and the worker keeps working afterwards', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const encoder = await window.colbert.createEncoder({ model: '/__shared/fixtures/colbert-tiny-golden/checkpoint/' });
    let code: string | undefined;
    try {
      await encoder.encode([{ text: 42 as unknown as string, kind: 'document' }]);
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    const [after] = await encoder.encode([{ text: 'still working', kind: 'document' }]);
    await encoder.close();
    let closedCode: string | undefined;
    try {
      await encoder.encode([{ text: 'x', kind: 'query' }]);
    } catch (e) {
      closedCode = (e as { code?: string }).code;
    }
    return { code, rows: after!.rows, closedCode };
  });
  expect(result.code).toBe('INVALID_INPUT');
  expect(result.rows).toBeGreaterThan(3);
  expect(result.closedCode).toBe('CLOSED');
});

test('progress callbacks and AbortSignals cross the worker boundary', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const phases = new Set<string>();
    const encoder = await window.colbert.createEncoder({
      model: '/__shared/fixtures/colbert-tiny-golden/checkpoint/',
      onProgress: (e) => phases.add(e.phase === 'load' ? `load:${e.step}` : e.phase),
    });
    const inputs = Array.from({ length: 600 }, (_, i) => ({ text: `document ${i} on protein folding and cell signalling`, kind: 'document' as const }));
    const encodeEvents: number[] = [];
    await encoder.encode(inputs, { onProgress: (e) => encodeEvents.push(e.loaded) });
    const controller = new AbortController();
    const pending = encoder.encode(inputs.concat(inputs, inputs), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const code = await pending.then(() => 'finished', (e: { code?: string }) => e.code);
    const abortMs = performance.now() - started;
    const [after] = await encoder.encode([{ text: 'after abort', kind: 'query' }]);
    await encoder.close();
    return { phases: [...phases], encodeEvents, code, abortMs, rowsAfter: after!.rows };
  });
  expect(result.phases).toEqual(expect.arrayContaining(['download', 'load:graph', 'load:session']));
  expect(result.encodeEvents).toEqual([256, 512, 600]);
  expect(result.code).toBe('ABORTED');
  expect(result.rowsAfter).toBe(32);
});

test('colbert-tiny-golden: rerank in the worker orders candidates by MaxSim of their encoded rows; a repeated id is INVALID_INPUT', async ({ page }) => {
  const result = await page.evaluate(async (base) => {
    const texts = ((await (await fetch(`${base}texts.json`)).json()) as Array<{ text: string; kind: string }>).filter((t) => t.kind === 'document').slice(0, 8);
    const encoder = await window.colbert.createEncoder({ model: `${base}checkpoint/`, backend: 'wasm' });
    const query = 'a query about colbert';
    const candidates = texts.map((t, i) => ({ id: `c${i}`, text: t.text }));
    const hits = await encoder.rerank(query, candidates, { k: 5 });
    // The oracle: MaxSim computed here from the rows encode() returns.
    const [q, ...docs] = await encoder.encode([{ text: query, kind: 'query' }, ...candidates.map((c) => ({ text: c.text, kind: 'document' as const }))], { longDocuments: 'truncate' });
    const maxSim = (d: { rows: number; vectors: Float32Array }): number => {
      let sum = 0;
      for (let r = 0; r < q!.rows; r++) {
        let best = -Infinity;
        for (let c = 0; c < d.rows; c++) {
          let dot = 0;
          for (let i = 0; i < q!.dim; i++) dot += q!.vectors[r * q!.dim + i]! * d.vectors[c * q!.dim + i]!;
          best = Math.max(best, dot);
        }
        sum += best;
      }
      return sum;
    };
    const expected = docs.map((d, i) => ({ id: `c${i}`, score: maxSim(d) })).sort((a, b) => b.score - a.score).slice(0, 5);
    let error: { code?: string; subject?: string } = {};
    try {
      await encoder.rerank(query, [candidates[0]!, candidates[0]!]);
    } catch (e) {
      error = { code: (e as { code?: string }).code, subject: (e as { subject?: string }).subject };
    }
    await encoder.close();
    return { got: hits.map((h) => ({ id: h.id, score: h.score, matches: h.matches?.length ?? 0 })), expected, queryRows: q!.rows, error };
  }, '/__shared/fixtures/colbert-tiny-golden/');
  expect(result.got.map((h) => h.id)).toEqual(result.expected.map((h) => h.id));
  result.got.forEach((h, i) => {
    expect(Math.abs(h.score - result.expected[i]!.score)).toBeLessThan(1e-4);
    expect(h.matches).toBe(result.queryRows);
  });
  expect(result.error).toEqual({ code: 'INVALID_INPUT', subject: 'candidates[1].id' });
});
