import { ColbertError, createSearch } from 'colbert-web';
import type { DocumentInput, SearchHandle, SearchMode } from 'colbert-web';
import { fileDocuments, jsonlDocuments, pastedDocuments } from './documents.js';
import { renderHit } from './hits.js';
import { describeIndex, describeLastSearch } from './status.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const LEXICAL_URL = new URL('models/lexical/', document.baseURI).href;
const SAMPLE_URL = new URL('sample/corpus.jsonl', document.baseURI).href;
const controls = ['add-pasted', 'upload', 'add-sample', 'export', 'import', 'clear', 'query'];

let search: SearchHandle | undefined;
let modelLabel = '';
let lastQueryMs: number | undefined;
let adding: AbortController | undefined;

function showError(where: HTMLElement, error: unknown): void {
  where.className = 'error';
  where.dataset['state'] = 'error';
  where.textContent = error instanceof ColbertError ? `${error.code}: ${error.message}` : String(error);
}

async function refreshStatus(): Promise<void> {
  if (!search) return;
  const info = await search.info();
  const bar = $('status-bar');
  bar.dataset['encoder'] = info.encoder.name;
  bar.dataset['scorer'] = info.scorer;
  bar.dataset['nbits'] = String(info.nbits ?? 'none');
  bar.textContent = `${describeIndex(info, modelLabel)} · last query: ${lastQueryMs === undefined ? '–' : `${lastQueryMs.toFixed(1)} ms`}${describeLastSearch(info)}`;
  $('doc-count').textContent = `${info.documents} indexed`;
  $('doc-count').dataset['documents'] = String(info.documents);
}

async function load(): Promise<void> {
  const choice = $<HTMLSelectElement>('model-choice').value;
  const poolFactor = Number($<HTMLSelectElement>('pool-factor').value);
  const nbitsChoice = $<HTMLSelectElement>('nbits').value;
  const nbits = nbitsChoice === '' ? undefined : (Number(nbitsChoice) as 2 | 4);
  const url = choice === 'lexical' ? LEXICAL_URL : $<HTMLInputElement>('model-url').value.trim();
  const status = $('model-status');
  // Loading from the first moment, before the old index closes: nothing may be added to it meanwhile, and whoever
  // waits for 'ready' waits for this load, not the last one.
  for (const id of controls) $<HTMLButtonElement>(id).disabled = true;
  status.className = '';
  status.dataset['state'] = 'loading';
  status.textContent = 'loading…';
  const closing = search;
  search = undefined;
  await closing?.close();
  const started = performance.now();
  try {
    search = await createSearch({
      model: url,
      // One index per model and pool factor: vectors of different models do not mix, and an index keeps its factor.
      index: `${choice === 'lexical' ? 'playground-lexical' : `playground-${url}`}${poolFactor > 1 ? `-pool${poolFactor}` : ''}${nbits ? `-nbits${nbits}` : ''}`,
      poolFactor,
      ...(nbits ? { nbits } : {}),
      backend: $<HTMLSelectElement>('backend').value as 'auto' | 'webgpu' | 'wasm',
      onProgress: (e) => {
        if (e.phase === 'download') status.textContent = `downloading ${e.file}: ${(e.loaded / 1e6).toFixed(1)} MB${e.total ? ` of ${(e.total / 1e6).toFixed(1)} MB` : ''}`;
        else if (e.phase === 'load') status.textContent = `preparing ${e.step}…`;
      },
    });
    modelLabel = choice === 'lexical' ? 'offline lexical (not semantic)' : url;
    status.textContent = `ready in ${Math.round(performance.now() - started)} ms`;
    status.dataset['state'] = 'ready';
    for (const id of controls) $<HTMLButtonElement>(id).disabled = false;
    await refreshStatus();
    await runSearch();
  } catch (error) {
    showError(status, error);
  }
}

async function add(documents: () => Promise<DocumentInput[]>): Promise<void> {
  if (!search) return;
  const status = $('add-status');
  const bar = $<HTMLProgressElement>('add-progress');
  adding = new AbortController();
  $('cancel-add').hidden = false;
  bar.hidden = false;
  status.className = '';
  status.dataset['state'] = 'adding';
  const started = performance.now();
  try {
    const docs = await documents();
    await search.add(docs, {
      signal: adding.signal,
      onProgress: (e) => {
        if (e.phase !== 'index') return;
        bar.max = e.total;
        bar.value = e.loaded;
        status.textContent = `indexed ${e.loaded} of ${e.total} documents`;
      },
    });
    status.textContent = `indexed ${docs.length} document${docs.length === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    status.dataset['state'] = 'done';
  } catch (error) {
    showError(status, error);
  } finally {
    adding = undefined;
    bar.hidden = true;
    $('cancel-add').hidden = true;
    await refreshStatus();
    await runSearch();
  }
}

let searchSeq = 0;
async function runSearch(): Promise<void> {
  const query = $<HTMLInputElement>('query').value.trim();
  const list = $('hits');
  const mine = ++searchSeq;
  if (!search || !query) {
    list.replaceChildren();
    return;
  }
  const topic = $<HTMLInputElement>('filter-topic').value.trim();
  const started = performance.now();
  try {
    const mode = $<HTMLSelectElement>('search-mode').value as SearchMode;
    const hits = await search.search(query, { k: 10, explain: true, mode, ...(topic ? { filter: { topic } } : {}) });
    if (mine !== searchSeq) return; // a newer keystroke won
    lastQueryMs = performance.now() - started;
    list.replaceChildren(...hits.map((hit) => renderHit(hit, query, search!, (id) => void remove(id))));
    list.dataset['query'] = query;
    await refreshStatus();
  } catch (error) {
    showError(list, error);
  }
}

async function remove(id: string): Promise<void> {
  await search?.remove([id]);
  await refreshStatus();
  await runSearch();
}

async function exportIndex(): Promise<void> {
  if (!search) return;
  const blob = await search.export();
  const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: 'index.cwi' });
  link.click();
  URL.revokeObjectURL(link.href);
}

$<HTMLSelectElement>('model-choice').addEventListener('change', (e) => {
  $<HTMLInputElement>('model-url').hidden = (e.target as HTMLSelectElement).value !== 'url';
});
$('load').addEventListener('click', () => void load());
$('add-pasted').addEventListener('click', () => void add(async () => pastedDocuments($<HTMLTextAreaElement>('paste').value)));
$('add-sample').addEventListener('click', () => void add(async () => jsonlDocuments(await (await fetch(SAMPLE_URL)).text(), 'sample corpus')));
$<HTMLInputElement>('upload').addEventListener('change', (e) => {
  const files = [...((e.target as HTMLInputElement).files ?? [])];
  void add(async () => (await Promise.all(files.map(fileDocuments))).flat());
});
$('cancel-add').addEventListener('click', () => adding?.abort());
$('export').addEventListener('click', () => void exportIndex());
$<HTMLInputElement>('import').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file || !search) return;
  void search.import(file).then(refreshStatus).then(runSearch, (error: unknown) => showError($('add-status'), error));
});
$('clear').addEventListener('click', () => void search?.clear().then(refreshStatus).then(runSearch));
$('query').addEventListener('input', () => void runSearch());
$('search-mode').addEventListener('change', () => void runSearch());
$('filter-topic').addEventListener('input', () => void runSearch());
// The app shell works offline after the first visit (the model and the index already do): sw.js serves it from
// its cache when the network is gone.
if ('serviceWorker' in navigator) void navigator.serviceWorker.register(new URL('sw.js', document.baseURI).href).catch(() => undefined);
void load();
