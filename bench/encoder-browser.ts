/**
 * Encoder throughput in a Chromium Web Worker (onnxruntime-web WASM): the same measurements as
 * encoder-node.ts, with the peer — a plain onnxruntime-web MatMul in a worker with the same threads —
 * measured in the same page. Starts the Vite dev server (cross-origin isolated, so WASM threads work).
 *
 * WebGPU rows (Chromium launched with --enable-unsafe-webgpu): the first encode (shader compilation, first
 * uploads) apart from the warm ones; the peer is the WASM encoder on the same documents in the same page, so the
 * ratio is WebGPU over WASM. On a machine whose only adapter is SwiftShader (WebGPU emulated on the CPU) WebGPU is
 * far slower than WASM, hence few documents by default.
 *
 *   npx tsx bench/encoder-browser.ts [--docs N] [--runs N] [--webgpu-docs N] [--webgpu-runs N]   (--webgpu-docs 0: no WebGPU rows)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { generatePreset, writeCheckpoint } from '@colbert-web/fixtures';
import { folderFiles, loadCheckpoint } from 'colbert-web/node';
import type { BackendInfo } from 'colbert-web';
import { createTokenizer } from '../packages/colbert-web/src/model/tokenizer.js';
import { SHARED, scifactDocuments } from './corpus.js';
import { documentWork } from './flops.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '32' },
    runs: { type: 'string', default: '3' },
    'webgpu-docs': { type: 'string', default: '1' },
    'webgpu-runs': { type: 'string', default: '1' },
  },
});
const runs = Number(values.runs);
const documents = scifactDocuments(Number(values.docs) * 4).filter((d) => d.length > 900).slice(0, Number(values.docs));
const webgpuDocuments = documents.slice(0, Number(values['webgpu-docs']));
const webgpuRuns = Number(values['webgpu-runs']);

const answerai = join(import.meta.dirname, '.models/answerai-small');
if (!existsSync(join(answerai, 'model.safetensors'))) await writeCheckpoint(answerai, generatePreset('answerai-small'));

const shapes = [
  { shape: 'tiny (2×128, golden)', folder: join(SHARED, 'fixtures/colbert-tiny-golden/checkpoint'), url: '/__shared/fixtures/colbert-tiny-golden/checkpoint/' },
  { shape: 'answerai-small (12×384, seeded)', folder: answerai, url: '/__bench/answerai-small/' },
];

const server = await createServer({ configFile: join(import.meta.dirname, '../vite.config.ts'), logLevel: 'warn', server: { port: 5199, strictPort: true } });
await server.listen();
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
});
try {
  const page = await browser.newPage();
  await page.goto('http://localhost:5199/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady === true);
  const userAgent = await page.evaluate(() => navigator.userAgent);
  const results = [];
  for (const { shape, folder, url } of shapes) {
    const checkpoint = await loadCheckpoint(folderFiles(folder));
    const work = documentWork(checkpoint, createTokenizer(checkpoint.tokenizer, checkpoint.settings), documents);
    const r = await page.evaluate(([u, docs, n]) => window.bench.benchEncoder(u, docs, n), [url, documents, runs] as const);
    const encode = summarise(r.encodeMs);
    const gflops = work.flops / (encode.median / 1000) / 1e9;
    // Peer: the FFN up-projection's shape at 8 documents per call, repeated to the encoder's total FLOPs.
    const m = Math.round(work.tokens / documents.length) * 8;
    const { hiddenSize: k, intermediateSize: n } = checkpoint.backbone.config;
    const repeats = Math.max(1, Math.round(work.flops / (2 * m * k * n)));
    const peerMs = await page.evaluate(([a, b, c, d, e, f]) => window.bench.benchMatMul(a, b, c, d, e, f), [m, k, n, repeats, runs, r.backend.threads] as const);
    const peerGflops = (repeats * 2 * m * k * n) / (summarise(peerMs).median / 1000) / 1e9;
    results.push({
      shape, backend: r.backend, documents: documents.length, tokens: work.tokens, gflopPerRun: work.flops / 1e9,
      coldLoadMs: r.coldLoadMs, warmLoad: summarise(r.warmLoadMs), encode,
      docsPerSecond: documents.length / (encode.median / 1000), tokensPerSecond: work.tokens / (encode.median / 1000),
      gflops, peer: { m, k, n, repeats, samplesMs: peerMs, gflops: peerGflops }, fractionOfPeer: gflops / peerGflops,
    });
  }
  const webgpu = [];
  for (const { shape, folder, url } of webgpuDocuments.length > 0 ? shapes : []) {
    const checkpoint = await loadCheckpoint(folderFiles(folder));
    const work = documentWork(checkpoint, createTokenizer(checkpoint.tokenizer, checkpoint.settings), webgpuDocuments);
    const r = await page.evaluate(benchWebGpu, [url, webgpuDocuments, webgpuRuns] as const);
    const encode = summarise(r.warmMs);
    const peer = summarise(r.peerMs);
    const gflops = work.flops / (encode.median / 1000) / 1e9;
    const peerGflops = work.flops / (peer.median / 1000) / 1e9;
    webgpu.push({
      shape, backend: r.backend, peerBackend: r.peerBackend, documents: webgpuDocuments.length, tokens: work.tokens, gflopPerRun: work.flops / 1e9,
      loadMs: r.loadMs, firstEncodeMs: r.firstMs, encode,
      docsPerSecond: webgpuDocuments.length / (encode.median / 1000), tokensPerSecond: work.tokens / (encode.median / 1000),
      gflops, peer: { what: 'WASM encoder, same documents, same page', encode: peer, gflops: peerGflops }, fractionOfPeer: gflops / peerGflops,
    });
  }
  report('encoder-browser', { bench: 'encoder-browser', runs, webgpuRuns, userAgent, environment: environment(), results, webgpu }, [
    'shape', 'backend', 'docs', 'docs/s', 'tokens/s', 'GFLOP/s', 'peer GFLOP/s (WASM: MatMul; WebGPU: WASM encoder)', 'ratio',
    'first encode ms', 'encode median / p95 ms', 'cold load ms', 'warm load median ms',
  ], [
    ...results.map((r) => [
      r.shape, `${r.backend.name} ×${r.backend.threads}`, r.documents, fmt(r.docsPerSecond), fmt(r.tokensPerSecond, 0), fmt(r.gflops), fmt(r.peer.gflops),
      `${fmt(100 * r.fractionOfPeer, 0)}%`, '–', `${fmt(r.encode.median, 0)} / ${fmt(r.encode.p95, 0)}`, fmt(r.coldLoadMs, 0), fmt(r.warmLoad.median, 0),
    ]),
    ...webgpu.map((r) => [
      r.shape, describe(r.backend), r.documents, fmt(r.docsPerSecond, 3), fmt(r.tokensPerSecond, 0), fmt(r.gflops, 2), fmt(r.peer.gflops),
      `${fmt(100 * r.fractionOfPeer, 1)}%`, fmt(r.firstEncodeMs, 0), `${fmt(r.encode.median, 0)} / ${fmt(r.encode.p95, 0)}`, '–', fmt(r.loadMs, 0),
    ]),
  ]);
} finally {
  await browser.close();
  await server.close();
}

function describe(backend: BackendInfo): string {
  if (backend.name !== 'webgpu') return `${backend.name} (asked for webgpu)`;
  const { vendor, architecture, isFallbackAdapter } = backend.adapter;
  return `webgpu (${vendor} ${architecture}${isFallbackAdapter ? ', software' : ''}; ${backend.fallbackNodes ?? '?'} CPU fallback node(s))`;
}

/**
 * Runs in the page: the encoder on WebGPU (a first load to warm the caches, a timed load, the first encode, `runs`
 * warm encodes), then the WASM encoder on the same documents as the peer (one untimed encode, then ≥ 3 timed).
 */
async function benchWebGpu([model, documents, runs]: readonly [string, readonly string[], number]) {
  // Serialised into the page by Playwright: no named inner functions (tsx would wrap them in a `__name` helper the
  // page does not have).
  const { createEncoder } = window.colbert;
  const inputs = documents.map((text) => ({ text, kind: 'document' as const }));
  await (await createEncoder({ model, backend: 'webgpu' })).close();
  let started = performance.now();
  const encoder = await createEncoder({ model, backend: 'webgpu' });
  const loadMs = performance.now() - started;
  started = performance.now();
  await encoder.encode(inputs);
  const firstMs = performance.now() - started;
  const warmMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    started = performance.now();
    await encoder.encode(inputs);
    warmMs.push(performance.now() - started);
  }
  const { backend } = await encoder.info();
  await encoder.close();
  const wasm = await createEncoder({ model, backend: 'wasm' });
  await wasm.encode(inputs);
  const peerMs: number[] = [];
  for (let r = 0; r < Math.max(3, runs); r++) {
    started = performance.now();
    await wasm.encode(inputs);
    peerMs.push(performance.now() - started);
  }
  const { backend: peerBackend } = await wasm.info();
  await wasm.close();
  return { loadMs, firstMs, warmMs, peerMs, backend, peerBackend };
}
