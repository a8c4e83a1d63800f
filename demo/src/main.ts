import { ColbertError, createEncoder } from 'colbert-web';
import type { BackendInfo, EncodedText, RemoteEncoder, TextKind } from 'colbert-web';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const LEXICAL_URL = new URL('models/lexical/', document.baseURI).href;

let encoder: RemoteEncoder | undefined;

async function load(): Promise<void> {
  const choice = $<HTMLSelectElement>('model-choice').value;
  const url = choice === 'lexical' ? LEXICAL_URL : $<HTMLInputElement>('model-url').value.trim();
  const status = $('model-status');
  $<HTMLButtonElement>('encode').disabled = true;
  await encoder?.close();
  encoder = undefined;
  status.className = '';
  status.textContent = 'loading…';
  const started = performance.now();
  try {
    encoder = await createEncoder({
      model: url,
      onProgress: (e) => {
        if (e.phase === 'download') status.textContent = `downloading ${e.file}: ${(e.loaded / 1e6).toFixed(1)} MB${e.total ? ` of ${(e.total / 1e6).toFixed(1)} MB` : ''}`;
        else if (e.phase === 'load') status.textContent = `preparing ${e.step}…`;
      },
    });
    const { model, backend } = await encoder.info();
    status.textContent = `loaded in ${Math.round(performance.now() - started)} ms`;
    status.dataset['state'] = 'ready';
    $('status-bar').dataset['backend'] = backend.name;
    $('status-bar').textContent =
      `${describeBackend(backend)} · ` +
      `model: ${choice === 'lexical' ? 'offline lexical (not semantic)' : model.location} · ${model.architecture}, ${model.layers} layer${model.layers === 1 ? "" : "s"}, dim ${model.dim}`;
    $<HTMLButtonElement>('encode').disabled = false;
    await encode();
  } catch (error) {
    status.className = 'error';
    status.dataset['state'] = 'error';
    status.textContent = error instanceof ColbertError ? `${error.code}: ${error.message}` : String(error);
  }
}

/** "backend: wasm (2 threads, SIMD on)" or "backend: webgpu (google swiftshader, software; 1 node on the CPU)". */
function describeBackend(backend: BackendInfo): string {
  if (backend.name === 'wasm') {
    const skipped = backend.webgpuSkipped ? `; WebGPU not used: ${backend.webgpuSkipped.replaceAll('-', ' ')}` : '';
    return `backend: wasm (${backend.threads} thread${backend.threads === 1 ? '' : 's'}, SIMD ${backend.simd ? 'on' : 'off'}${skipped})`;
  }
  const { vendor, architecture, description, isFallbackAdapter } = backend.adapter;
  const adapter = [vendor, architecture || description].filter(Boolean).join(' ') || 'unknown adapter';
  const fallback = backend.fallbackNodes === null ? '' : `; ${backend.fallbackNodes} node${backend.fallbackNodes === 1 ? '' : 's'} on the CPU`;
  return `backend: webgpu (${adapter}${isFallbackAdapter ? ', software' : ''}${fallback})`;
}

async function encode(): Promise<void> {
  if (!encoder) return;
  const text = $<HTMLTextAreaElement>('text').value;
  const kind = $<HTMLSelectElement>('kind').value as TextKind;
  const started = performance.now();
  const [encoded] = await encoder.encode([{ text, kind }]);
  const ms = performance.now() - started;
  render(text, encoded!);
  $('status-bar').textContent = $('status-bar').textContent!.replace(/ · last encode: .*$/, '') + ` · last encode: ${ms.toFixed(1)} ms`;
}

function render(text: string, encoded: EncodedText): void {
  $('shape').textContent = `${encoded.rows} × ${encoded.dim}${encoded.truncated ? ' (truncated)' : ''}`;
  const list = $('tokens');
  list.replaceChildren();
  for (let r = 0; r < encoded.rows; r++) {
    const start = encoded.spans[2 * r]!;
    const end = encoded.spans[2 * r + 1]!;
    const row = document.createElement('div');
    row.className = `token-row${start < 0 ? ' special' : ''}`;
    row.dataset['token'] = encoded.tokens[r]!;
    const cells = [String(r), encoded.tokens[r]!, start < 0 ? '–' : JSON.stringify(text.slice(start, end))];
    for (const [i, value] of cells.entries()) {
      const cell = document.createElement('span');
      cell.className = ['index', 'piece', 'span'][i]!;
      cell.textContent = value;
      row.append(cell);
    }
    row.append(vectorStrip(encoded.vectors.subarray(r * encoded.dim, (r + 1) * encoded.dim)));
    list.append(row);
  }
}

/** The row's components as a colour strip: blue negative, red positive. */
function vectorStrip(vector: Float32Array): HTMLElement {
  const strip = document.createElement('div');
  strip.className = 'vector';
  const scale = 1 / Math.max(1e-9, ...Array.from(vector, Math.abs));
  for (const v of vector) {
    const cell = document.createElement('span');
    const a = Math.min(1, Math.abs(v) * scale);
    cell.style.background = v >= 0 ? `rgba(220, 38, 38, ${a})` : `rgba(37, 99, 235, ${a})`;
    strip.append(cell);
  }
  return strip;
}

$<HTMLSelectElement>('model-choice').addEventListener('change', (e) => {
  $<HTMLInputElement>('model-url').hidden = (e.target as HTMLSelectElement).value !== 'url';
});
$('load').addEventListener('click', () => void load());
$('encode').addEventListener('click', () => void encode());
$<HTMLTextAreaElement>('text').addEventListener('input', () => void encode());
void load();
