import { expect, test } from '@playwright/test';

// The facade through the SDK's own module (the harness page exposes it as window.colbert): typed errors at the
// boundary and after close(), filters, upserts, and an index reopened by a second handle.
test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
});

test('createSearch: filters, upserts, removal, compaction, import from a URL, typed errors, close() releases the index', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { createSearch } = window.colbert;
    const model = new URL('/models/lexical/', location.href).href;
    const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: { code?: string }) => e.code ?? String(e));
    const search = await createSearch({ model, index: `api-${Math.random()}`, backend: 'wasm' });
    await search.add([
      { id: 'a', text: 'heart attack risk and aspirin', metadata: { topic: 'health' } },
      { id: 'b', text: 'bread dough rises with yeast', metadata: { topic: 'food' } },
      { id: 'c', text: 'heart shaped bread for valentines', metadata: { topic: 'food' } },
    ]);
    const all = (await search.search('heart bread', { k: 10 })).map((h) => h.id);
    const food = (await search.search('heart attack', { k: 10, filter: { topic: 'food' } })).map((h) => h.id);
    const either = (await search.search('heart attack', { k: 10, filter: { topic: ['food', 'health'] } })).length;
    await search.add([{ id: 'a', text: 'nothing relevant here', metadata: { topic: 'misc' } }]); // upsert
    const afterUpsert = await search.search('heart attack', { k: 1, explain: true });
    await search.remove(['c']);
    const afterRemove = (await search.search('heart bread', { k: 10 })).map((h) => h.id);
    const before = await search.info();
    const progress: number[] = [];
    const compacted = await search.compact({ onProgress: (e) => progress.push(e.loaded) });
    const afterCompact = (await search.search('heart bread', { k: 10 })).map((h) => h.id);
    const info = await search.info();
    // The exported file imported from a URL (here a blob: URL, fetched by the other index's worker).
    const url = URL.createObjectURL(await search.export());
    const copy = await createSearch({ model, index: `api-copy-${Math.random()}`, backend: 'wasm' });
    const importProgress: number[] = [];
    await copy.import(url, { onProgress: (e) => importProgress.push(e.loaded) });
    const copied = (await copy.search('heart bread', { k: 10 })).map((h) => h.id);
    const copiedDocuments = (await copy.info()).documents;
    await copy.close();
    URL.revokeObjectURL(url);
    const errors = {
      emptyQuery: await code(search.search('  ')),
      badK: await code(search.search('x', { k: -1 })),
      badDoc: await code(search.add([{ id: '', text: 'x' }])),
      badFilter: await code(search.search('x', { filter: { topic: [{}] as never } })),
      missingId: await code(search.similarities('x', 'nope')),
    };
    await search.close();
    const afterClose = await code(search.search('heart'));
    return { all, food, either, afterUpsert, afterRemove, afterCompact, compacted, progress, bytesBefore: before.bytes, info, copied, copiedDocuments, importProgress, errors, afterClose };
  });
  expect([...result.all].sort()).toEqual(['a', 'b', 'c']);
  expect(result.food).toEqual(['c', 'b']);
  expect(result.either).toBe(3);
  expect(result.afterUpsert[0]!.id).toBe('c');
  expect(result.afterUpsert[0]!.matches!.some((m) => m.queryToken === 'heart' && m.documentToken === 'heart')).toBe(true);
  expect([...result.afterRemove].sort()).toEqual(['a', 'b']);
  // The replaced 'a' and the removed 'c' are purged; the index shrinks and answers the same.
  expect(result.compacted.documentsPurged).toBe(2);
  expect(result.progress.length).toBeGreaterThan(0);
  expect(result.afterCompact).toEqual(result.afterRemove);
  expect(result.info.bytes).toBeLessThan(result.bytesBefore);
  expect(result.copied).toEqual(result.afterCompact);
  expect(result.copiedDocuments).toBe(2);
  expect(result.importProgress.length).toBeGreaterThan(0);
  expect(result.info).toMatchObject({ documents: 2, precision: 'int8', scorer: expect.stringMatching(/^wasm/) });
  expect(result.errors).toEqual({ emptyQuery: 'INVALID_INPUT', badK: 'INVALID_INPUT', badDoc: 'INVALID_INPUT', badFilter: 'INVALID_INPUT', missingId: 'INVALID_INPUT' });
  expect(result.afterClose).toBe('CLOSED');
});

test('metadata outside the documented values is refused with the field named, before it reaches the worker', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { createSearch, isColbertError } = window.colbert;
    const model = new URL('/models/lexical/', location.href).href;
    const search = await createSearch({ model, index: `metadata-${Math.random()}`, backend: 'wasm' });
    const refusal = async (metadata: unknown): Promise<{ colbert: boolean; code?: string; message: string }> =>
      search.add([{ id: 'ok', text: 'fine' }, { id: 'x', text: 'heart', metadata: metadata as never }]).then(
        () => ({ colbert: false, message: 'resolved' }),
        (e: Error & { code?: string }) => ({ colbert: isColbertError(e), code: e.code, message: e.message }),
      );
    // A function cannot be posted at all: without the main-thread check this is a DataCloneError.
    const fn = await refusal({ onClick: () => 1 });
    const date = await refusal({ when: new Date(0) });
    const nested = await refusal({ author: { name: 'Ada' } });
    const documentsAfterRefusals = (await search.info()).documents;
    await search.add([{ id: 'kept', text: 'heart attack', metadata: { tags: ['a', 'b'], year: 2021, draft: false, editor: null } }]);
    const [hit] = await search.search('heart', { k: 1 });
    const arrayFiltered = (await search.search('heart', { k: 5, filter: { tags: 'a' } })).length;
    await search.close();
    return { fn, date, nested, documentsAfterRefusals, metadata: hit?.metadata, arrayFiltered };
  });
  const rule = 'must be a string, a finite number, a boolean, null or an array of those';
  expect(result.fn).toEqual({ colbert: true, code: 'INVALID_INPUT', message: `documents[1].metadata.onClick ${rule} (got a function).` });
  expect(result.date).toEqual({ colbert: true, code: 'INVALID_INPUT', message: `documents[1].metadata.when ${rule} (got a Date).` });
  expect(result.nested).toEqual({ colbert: true, code: 'INVALID_INPUT', message: `documents[1].metadata.author ${rule} (got an object).` });
  expect(result.documentsAfterRefusals).toBe(0);
  expect(result.metadata).toEqual({ tags: ['a', 'b'], year: 2021, draft: false, editor: null });
  expect(result.arrayFiltered).toBe(0);
});

test('an index opened with another model is refused, and nothing in it changes', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { createSearch } = window.colbert;
    const index = `model-${Math.random()}`;
    const lexical = await createSearch({ model: new URL('/models/lexical/', location.href).href, index, backend: 'wasm' });
    await lexical.add([{ id: 'x', text: 'kept as it was' }]);
    await lexical.close();
    const other = await createSearch({ model: new URL('/__shared/fixtures/colbert-tiny-golden/checkpoint/', location.href).href, index, backend: 'wasm' }).then(
      () => 'opened',
      (e: { code?: string }) => e.code,
    );
    const again = await createSearch({ model: new URL('/models/lexical/', location.href).href, index, backend: 'wasm' });
    const hits = await again.search('kept');
    await again.close();
    return { other, ids: hits.map((h) => h.id) };
  });
  expect(result.other).toBe('INDEX_MODEL_MISMATCH');
  expect(result.ids).toEqual(['x']);
});
