/**
 * Encoder throughput under Node (onnxruntime-web, WASM): documents/s and tokens/s on ~200-token SciFact
 * abstracts for the tiny golden shape and the answerai-colbert-small-v1 shape (seeded weights), cold and
 * warm model load, and — in the same run — a plain onnxruntime-web MatMul as the peer: our effective
 * GFLOP/s as a fraction of what one big MatMul reaches here.
 *
 *   npx tsx bench/encoder-node.ts [--threads N] [--docs N] [--runs N]
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { generatePreset } from '@colbert-web/fixtures';
import { folderFiles, loadEncoder, memoryFiles } from 'colbert-web/node';
import type { Encoder, ModelFiles } from 'colbert-web/node';
import { SHARED, scifactDocuments } from './corpus.js';
import { documentWork } from './flops.js';
import { matmulInput, matmulModel } from './peer-matmul.js';
import { environment, fmt, report, summarise } from './stats.js';
import type { Summary } from './stats.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' }, docs: { type: 'string', default: '32' }, runs: { type: 'string', default: '3' } } });
const threads = Number(values.threads);
const docCount = Number(values.docs);
const runs = Number(values.runs);
// Documents of ~200 tokens: SciFact abstracts cut at the model's document_length (180 tiny, 300 answerai).
const documents = scifactDocuments(docCount * 4).filter((d) => d.length > 900).slice(0, docCount);

interface ShapeResult {
  shape: string;
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
  const session = await ort.InferenceSession.create(matmulModel(m, k, n), { executionProviders: ['wasm'] });
  const feed = { a: new ort.Tensor('float32', matmulInput(m, k), [m, k]) };
  await session.run(feed);
  const once = 2 * m * k * n;
  const repeats = Math.max(1, Math.round(totalFlops / once));
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    for (let i = 0; i < repeats; i++) await session.run(feed);
    samples.push(performance.now() - started);
  }
  await session.release();
  return (repeats * once) / (summarise(samples).median / 1000) / 1e9;
}

async function benchShape(shape: string, files: ModelFiles): Promise<ShapeResult> {
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
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    await encoder!.encode(inputs);
    samples.push(performance.now() - started);
  }
  const encode = summarise(samples);
  const { flops, tokens } = documentWork(encoder!.checkpoint, encoder!.tokenizer, documents);
  const { hiddenSize, intermediateSize } = encoder!.checkpoint.backbone.config;
  await encoder!.close();
  const seconds = encode.median / 1000;
  const gflops = flops / seconds / 1e9;
  const peer = await peerGflops(Math.round(tokens / documents.length) * 8, hiddenSize, intermediateSize, flops);
  return {
    shape,
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

const results: ShapeResult[] = [];
results.push(await benchShape('tiny (2×128, golden)', folderFiles(`${SHARED}/fixtures/colbert-tiny-golden/checkpoint`)));
results.push(await benchShape('answerai-small (12×384, seeded)', memoryFiles(generatePreset('answerai-small'), 'answerai-small (seeded)')));

report('encoder-node', { bench: 'encoder-node', backend: 'wasm', threads, runs, environment: environment(), results }, [
  'shape', 'docs', 'tokens', 'docs/s', 'tokens/s', 'GFLOP/s', 'peer MatMul GFLOP/s', 'ratio', 'encode median / p95 ms', 'cold load ms', 'warm load median ms',
], results.map((r) => [
  r.shape, r.documents, r.tokens, fmt(r.docsPerSecond), fmt(r.tokensPerSecond, 0), fmt(r.gflops), fmt(r.peerGflops), `${fmt(100 * r.fractionOfPeer, 0)}%`,
  `${fmt(r.encode.median, 0)} / ${fmt(r.encode.p95, 0)}`, fmt(r.coldLoadMs, 0), fmt(r.warmLoad.median, 0),
]));
