/**
 * Encoder throughput under Node (onnxruntime-web, WASM): documents/s and tokens/s on ~200-token SciFact
 * abstracts for the tiny golden shape, the answerai-colbert-small-v1 shape and the mxbai-edge-colbert-v0-32m
 * ModernBERT shape (seeded weights), plus the ModernBERT shape on ~2,000-token documents (several abstracts
 * joined); cold and warm model load; peak RSS while encoding; and — in the same run — a plain onnxruntime-web
 * MatMul as the peer: our effective GFLOP/s as a fraction of what one big MatMul reaches here.
 *
 * Peak RSS is sampled every 5 ms (the encoder yields to the event loop between batches) and after each run.
 * WASM memory never shrinks, so a row's peak also covers the rows before it: the rows run smallest first.
 *
 *   npx tsx bench/encoder-node.ts [--threads N] [--docs N] [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { generateModernBertCheckpoint, generatePreset, presetOptions } from '@colbert-web/fixtures';
import { folderFiles, loadEncoder, memoryFiles } from 'colbert-web/node';
import type { Encoder, ModelFiles } from 'colbert-web/node';
import { SHARED, scifactDocuments } from './corpus.js';
import { documentWork } from './flops.js';
import { timeMatMul } from './peer-matmul.js';
import { environment, fmt, report, summarise } from './stats.js';
import type { Summary } from './stats.js';

const { values } = parseArgs({
  options: { threads: { type: 'string', default: '1' }, docs: { type: 'string', default: '32' }, runs: { type: 'string', default: '3' }, shape: { type: 'string' } },
});
const threads = Number(values.threads);
const docCount = Number(values.docs);
const runs = Number(values.runs);
// Documents of ~200 tokens: SciFact abstracts cut at the model's document_length (180 tiny, 300 answerai, 200
// for the ModernBERT shape).
const corpus = scifactDocuments(docCount * 40);
const documents = corpus.filter((d) => d.length > 900).slice(0, docCount);
// Documents of ~2,000 tokens: consecutive abstracts joined to ≥ 14,000 characters, cut at document_length 2,000.
const longDocuments: string[] = [];
for (let i = 0, text = ''; i < corpus.length && longDocuments.length < Math.max(2, Math.ceil(docCount / 4)); i++) {
  text = text ? `${text}\n\n${corpus[i]!}` : corpus[i]!;
  if (text.length >= 14_000) {
    longDocuments.push(text);
    text = '';
  }
}

interface ShapeResult {
  shape: string;
  /** Median model input tokens per document. */
  tokensPerDocument: number;
  peakRssMb: number;
  coldLoadMs: number;
  warmLoad: Summary;
  encode: Summary;
  documents: number;
  tokens: number;
  gflopPerRun: number;
  docsPerSecond: number;
  tokensPerSecond: number;
  gflops: number;
  peerGflops: number;
  fractionOfPeer: number;
}

async function timeLoad(files: ModelFiles): Promise<{ ms: number; encoder: Encoder }> {
  const started = performance.now();
  const encoder = await loadEncoder(files, { threads, backend: 'wasm' });
  return { ms: performance.now() - started, encoder };
}

/** The peer: one plain MatMul [m, k] × [k, n] in onnxruntime-web, the shape of the model's FFN up-projection. */
async function peerGflops(m: number, k: number, n: number, totalFlops: number): Promise<number> {
  const once = 2 * m * k * n;
  const repeats = Math.max(1, Math.round(totalFlops / once));
  const samples = await timeMatMul(m, k, n, repeats, runs);
  return (repeats * once) / (summarise(samples).median / 1000) / 1e9;
}

/** Samples process RSS every 5 ms until `stop()`, which returns the peak in bytes. */
function rssSampler(): { sample(): void; stop(): number } {
  let peak = process.memoryUsage().rss;
  const sample = (): void => void (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 5);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

async function benchShape(shape: string, files: ModelFiles, documents: readonly string[]): Promise<ShapeResult> {
  const cold = await timeLoad(files);
  await cold.encoder.close();
  const warmSamples: number[] = [];
  let encoder: Encoder | undefined;
  for (let r = 0; r < Math.max(2, runs); r++) {
    await encoder?.close();
    const warm = await timeLoad(files);
    warmSamples.push(warm.ms);
    encoder = warm.encoder;
  }
  const inputs = documents.map((text) => ({ text, kind: 'document' as const }));
  await encoder!.encode(inputs.slice(0, 2));
  const samples: number[] = [];
  const rss = rssSampler();
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    await encoder!.encode(inputs);
    samples.push(performance.now() - started);
    rss.sample();
  }
  const peakRss = rss.stop();
  const encode = summarise(samples);
  const { flops, tokens } = documentWork(encoder!.checkpoint, encoder!.tokenizer, documents);
  const { backbone } = encoder!.checkpoint;
  const { hiddenSize, intermediateSize } = backbone.config;
  const tokensPerDocument = summarise(documents.map((d) => documentWork(encoder!.checkpoint, encoder!.tokenizer, [d]).tokens)).median;
  await encoder!.close();
  const seconds = encode.median / 1000;
  const gflops = flops / seconds / 1e9;
  // The FFN up-projection: H → I for BERT, H → 2I (GeGLU's Wi) for ModernBERT.
  const upWidth = backbone.kind === 'modernbert' ? 2 * intermediateSize : intermediateSize;
  const peer = await peerGflops(Math.round(tokens / documents.length) * 8, hiddenSize, upWidth, flops);
  return {
    shape,
    tokensPerDocument,
    peakRssMb: peakRss / 2 ** 20,
    coldLoadMs: cold.ms,
    warmLoad: summarise(warmSamples),
    encode,
    documents: documents.length,
    tokens,
    gflopPerRun: flops / 1e9,
    docsPerSecond: documents.length / seconds,
    tokensPerSecond: tokens / seconds,
    gflops,
    peerGflops: peer,
    fractionOfPeer: gflops / peer,
  };
}

/** mxbai-edge-colbert-v0-32m's shape with seeded weights, documents cut at `documentLength` tokens. */
function mxbaiEdge32m(documentLength: number): ModelFiles {
  const options = presetOptions('mxbai-edge-32m-shape');
  return memoryFiles(generateModernBertCheckpoint({ ...options, colbert: { ...options.colbert, documentLength } }), `mxbai-edge-32m-shape (seeded, document_length ${documentLength})`);
}

const SHAPES: ReadonlyArray<{ name: string; files: () => ModelFiles; documents: readonly string[] }> = [
  { name: 'tiny (2×128, golden)', files: () => folderFiles(`${SHARED}/fixtures/colbert-tiny-golden/checkpoint`), documents },
  { name: 'answerai-small (12×384, seeded)', files: () => memoryFiles(generatePreset('answerai-small'), 'answerai-small (seeded)'), documents },
  { name: 'mxbai-edge-32m ModernBERT (10×384, seeded), ~200 tokens', files: () => mxbaiEdge32m(200), documents },
  { name: 'mxbai-edge-32m ModernBERT (10×384, seeded), ~2,000 tokens', files: () => mxbaiEdge32m(2000), documents: longDocuments },
];

// Each shape runs in a fresh process, so its cold load really is cold (WASM runtime start included) and its
// peak RSS is its own.
if (values.shape !== undefined) {
  const { name, files, documents: docs } = SHAPES[Number(values.shape)]!;
  process.stdout.write(`\nRESULT ${JSON.stringify(await benchShape(name, files(), docs))}\n`);
  process.exit(0);
}
const results: ShapeResult[] = SHAPES.map((_, i) => {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), '--shape', String(i)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`shape ${i} failed (exit ${child.status})`);
  return JSON.parse(line.slice('RESULT '.length)) as ShapeResult;
});

report('encoder-node', { bench: 'encoder-node', backend: 'wasm', threads, runs, environment: environment(), results }, [
  'shape', 'docs', 'tokens/doc', 'tokens', 'docs/s', 'tokens/s', 'GFLOP/s', 'peer MatMul GFLOP/s', 'ratio', 'encode median / p95 ms', 'peak RSS MB', 'cold load ms', 'warm load median ms',
], results.map((r) => [
  r.shape, r.documents, fmt(r.tokensPerDocument, 0), r.tokens, fmt(r.docsPerSecond), fmt(r.tokensPerSecond, 0), fmt(r.gflops), fmt(r.peerGflops), `${fmt(100 * r.fractionOfPeer, 0)}%`,
  `${fmt(r.encode.median, 0)} / ${fmt(r.encode.p95, 0)}`, fmt(r.peakRssMb, 0), fmt(r.coldLoadMs, 0), fmt(r.warmLoad.median, 0),
]));
