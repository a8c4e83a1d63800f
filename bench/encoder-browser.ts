/**
 * Encoder throughput in a Chromium Web Worker (onnxruntime-web WASM): the same measurements as
 * encoder-node.ts, with the peer — a plain onnxruntime-web MatMul in a worker with the same threads —
 * measured in the same page. Starts the Vite dev server (cross-origin isolated, so WASM threads work).
 *
 *   npx tsx bench/encoder-browser.ts [--docs N] [--runs N]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { generatePreset, writeCheckpoint } from '@colbert-web/fixtures';
import { folderFiles, loadCheckpoint } from 'colbert-web/node';
import { createTokenizer } from '../packages/colbert-web/src/model/tokenizer.js';
import { SHARED, scifactDocuments } from './corpus.js';
import { documentWork } from './flops.js';
import { environment, fmt, report, summarise } from './stats.js';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '32' }, runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const documents = scifactDocuments(Number(values.docs) * 4).filter((d) => d.length > 900).slice(0, Number(values.docs));

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
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
  report('encoder-browser', { bench: 'encoder-browser', runs, userAgent, environment: environment(), results }, [
    'shape', 'backend', 'docs/s', 'tokens/s', 'GFLOP/s', 'peer MatMul GFLOP/s', 'ratio', 'encode median / p95 ms', 'cold load ms', 'warm load median ms',
  ], results.map((r) => [
    r.shape, `${r.backend.name} ×${r.backend.threads}`, fmt(r.docsPerSecond), fmt(r.tokensPerSecond, 0), fmt(r.gflops), fmt(r.peer.gflops),
    `${fmt(100 * r.fractionOfPeer, 0)}%`, `${fmt(r.encode.median, 0)} / ${fmt(r.encode.p95, 0)}`, fmt(r.coldLoadMs, 0), fmt(r.warmLoad.median, 0),
  ]));
} finally {
  await browser.close();
  await server.close();
}
