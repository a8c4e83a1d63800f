import { expect, test } from '@playwright/test';
import type { Page, Request } from '@playwright/test';

// What DevTools shows for a model load: every request the page and its workers make for the model's files. One
// GET per file per load — the identity hash reuses the checkpoint reader's bytes, optional files are probed by that
// GET (no HEAD) — and a second load revalidates each stored file once instead of downloading it again.

const MODEL = '/models/lexical/';

async function openIndex(page: Page, index: string): Promise<number> {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
  return page.evaluate(
    async ({ model, index }) => {
      const search = await window.colbert.createSearch({ model: new URL(model, location.href).href, index, backend: 'wasm' });
      await search.add([{ id: 'a', text: 'heart attack risk' }]);
      const hits = await search.search('heart', { k: 1 });
      await search.close();
      return hits.length;
    },
    { model: MODEL, index },
  );
}

/** `METHOD file` for each request to the model's files while `run` runs, sorted; failed requests marked. */
async function modelRequests(page: Page, run: () => Promise<unknown>): Promise<{ requests: string[]; conditional: number; failed: string[] }> {
  const seen: Request[] = [];
  const failed: string[] = [];
  const onRequest = (r: Request): void => void (new URL(r.url()).pathname.startsWith(MODEL) && seen.push(r));
  const onFailed = (r: Request): void => void (new URL(r.url()).pathname.startsWith(MODEL) && failed.push(`${new URL(r.url()).pathname} ${r.failure()?.errorText ?? ''}`));
  page.context().on('request', onRequest);
  page.context().on('requestfailed', onFailed);
  try {
    await run();
  } finally {
    page.context().off('request', onRequest);
    page.context().off('requestfailed', onFailed);
  }
  const headers = await Promise.all(seen.map((r) => r.allHeaders()));
  return {
    requests: seen.map((r) => `${r.method()} ${new URL(r.url()).pathname.slice(MODEL.length)}`).sort(),
    conditional: headers.filter((h) => 'if-none-match' in h || 'if-modified-since' in h).length,
    failed,
  };
}

test('a createSearch load asks for each model file once, with no HEAD probes; the next load revalidates each once', async ({ page }) => {
  const index = `requests-${Math.random()}`;
  const files = ['1_Dense/config.json', '1_Dense/model.safetensors', 'config.json', 'config_sentence_transformers.json', 'model.safetensors', 'modules.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];

  const first = await modelRequests(page, async () => expect(await openIndex(page, index)).toBe(1));
  expect(first.requests).toEqual(files.map((f) => `GET ${f}`));
  expect(first.failed).toEqual([]);
  expect(first.conditional).toBe(0);

  const second = await modelRequests(page, async () => expect(await openIndex(page, index)).toBe(1));
  expect(second.requests).toEqual(files.map((f) => `GET ${f}`));
  expect(second.failed).toEqual([]);
  // Every file the host versions (ETag / Last-Modified) is revalidated, not downloaded unconditionally.
  expect(second.conditional).toBe(files.length);
});
