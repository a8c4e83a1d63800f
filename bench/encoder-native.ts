/**
 * Native vs WASM encoding under Node, in the same run: documents/s and tokens/s of onnxruntime-node (CPU provider)
 * and onnxruntime-web (WASM) on the same graph, for the answerai-colbert-small-v1 and mxbai-edge-colbert-v0-32m
 * shapes (seeded weights, SciFact abstracts cut at document_length 300), with each runtime's own peer: one plain
 * MatMul of the FFN up-projection's shape, repeated to the same FLOPs, on that runtime and thread count.
 * Each shape runs in a fresh process; its two runtimes take turns run by run (see `benchShape`).
 *
 *   npx tsx bench/encoder-native.ts [--threads N (default: every core)] [--docs 16] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { generateModernBertCheckpoint, generatePreset, presetOptions } from '@colbert-web/fixtures';
import { loadNodeEncoder, memoryFiles } from 'colbert-web/node';
import type { BackendInfo, ModelFiles, NodeBackend } from 'colbert-web/node';
import { scifactDocuments } from './corpus.js';
import { documentWork } from './flops.js';
import { timeMatMul } from './peer-matmul.js';
import { timeNativeMatMul } from './peer-matmul-native.js';
import { environment, fmt, report, summarise } from './stats.js';
import type { Summary } from './stats.js';

const { values } = parseArgs({
  options: { threads: { type: 'string', default: String(availableParallelism()) }, docs: { type: 'string', default: '16' }, runs: { type: 'string', default: '3' }, shape: { type: 'string' } },
});
const threads = Number(values.threads);
const runs = Number(values.runs);
const documents = scifactDocuments(Number(values.docs) * 40).filter((d) => d.length > 1500).slice(0, Number(values.docs));
const DOCUMENT_LENGTH = 300;

const SHAPES: ReadonlyArray<{ name: string; files: () => ModelFiles }> = [
  { name: 'answerai-small (BERT 12×384, seeded)', files: () => memoryFiles(generatePreset('answerai-small'), 'answerai-small (seeded)') },
  {
    name: 'mxbai-edge-32m (ModernBERT 10×384, seeded)',
    files: () => {
      const options = presetOptions('mxbai-edge-32m-shape');
      return memoryFiles(generateModernBertCheckpoint({ ...options, colbert: { ...options.colbert, documentLength: DOCUMENT_LENGTH } }), 'mxbai-edge-32m-shape (seeded)');
    },
  },
];
const BACKENDS: readonly NodeBackend[] = ['native', 'wasm'];

interface Row {
  shape: string;
  backend: BackendInfo;
  documents: number;
  tokens: number;
  coldLoadMs: number;
  encode: Summary;
  docsPerSecond: number;
  tokensPerSecond: number;
  gflops: number;
  peerGflops: number;
}

/**
 * Both runtimes of one shape in one process, their encode runs (and then their peer runs) alternating, so the
 * load of a shared machine falls on both alike and the ratio holds even where the absolute figures wander.
 */
async function benchShape(shape: (typeof SHAPES)[number]): Promise<Row[]> {
  const inputs = documents.map((text) => ({ text, kind: 'document' as const }));
  const loaded = [];
  for (const backend of BACKENDS) {
    const started = performance.now();
    const encoder = await loadNodeEncoder(shape.files(), { backend, threads });
    const coldLoadMs = performance.now() - started;
    await encoder.encode(inputs.slice(0, 2));
    loaded.push({ backend, encoder, coldLoadMs, samples: [] as number[], peerSamples: [] as number[] });
  }
  for (let r = 0; r < runs; r++) {
    for (const l of loaded) {
      const t = performance.now();
      await l.encoder.encode(inputs);
      l.samples.push(performance.now() - t);
    }
  }
  const { checkpoint, tokenizer } = loaded[0]!.encoder;
  const { flops, tokens } = documentWork(checkpoint, tokenizer, documents);
  const { backbone } = checkpoint;
  // The FFN up-projection: H → I for BERT, H → 2I (GeGLU's Wi) for ModernBERT, over 8 documents' tokens.
  const [m, k, n] = [Math.round(tokens / documents.length) * 8, backbone.config.hiddenSize, (backbone.kind === 'modernbert' ? 2 : 1) * backbone.config.intermediateSize];
  const repeats = Math.max(1, Math.round(flops / (2 * m * k * n)));
  for (let r = 0; r < runs; r++) {
    for (const l of loaded) l.peerSamples.push(...(await (l.backend === 'native' ? timeNativeMatMul(m, k, n, repeats, 1, threads) : timeMatMul(m, k, n, repeats, 1))));
  }
  const rows = loaded.map((l): Row => {
    const encode = summarise(l.samples);
    const seconds = encode.median / 1000;
    return {
      shape: shape.name,
      backend: l.encoder.backend,
      documents: documents.length,
      tokens,
      coldLoadMs: l.coldLoadMs,
      encode,
      docsPerSecond: documents.length / seconds,
      tokensPerSecond: tokens / seconds,
      gflops: flops / seconds / 1e9,
      peerGflops: (repeats * 2 * m * k * n) / (summarise(l.peerSamples).median / 1000) / 1e9,
    };
  });
  for (const l of loaded) await l.encoder.close();
  return rows;
}

if (values.shape !== undefined) {
  process.stdout.write(`\nRESULT ${JSON.stringify(await benchShape(SHAPES[Number(values.shape)]!))}\n`);
  process.exit(0);
}
// Each shape in a fresh process: its cold loads are cold.
const rows: Row[] = SHAPES.flatMap((_, i) => {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), '--shape', String(i)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`shape ${i} failed (exit ${child.status})`);
  return JSON.parse(line.slice('RESULT '.length)) as Row[];
});
const speedups = SHAPES.map((shape) => {
  const [native, wasm] = BACKENDS.map((b) => rows.find((r) => r.shape === shape.name && r.backend.name === b)!);
  return { shape: shape.name, nativeOverWasm: native!.docsPerSecond / wasm!.docsPerSecond, goal: 5 };
});

const describe = (b: BackendInfo): string => (b.name === 'native' ? `native ${b.provider} ×${b.threads}` : `${b.name} ×${b.threads}`);
report('encoder-native', { bench: 'encoder-native', threads, runs, documentLength: DOCUMENT_LENGTH, environment: environment(), rows, speedups }, [
  'shape', 'backend', 'docs', 'tokens', 'docs/s', 'tokens/s', 'GFLOP/s', 'peer MatMul GFLOP/s (same runtime)', 'ratio', 'encode median / p95 ms', 'cold load ms', 'native ÷ WASM docs/s',
], rows.map((r) => [
  r.shape, describe(r.backend), r.documents, r.tokens, fmt(r.docsPerSecond, 2), fmt(r.tokensPerSecond, 0), fmt(r.gflops), fmt(r.peerGflops), `${fmt((100 * r.gflops) / r.peerGflops, 0)}%`,
  `${fmt(r.encode.median, 0)} / ${fmt(r.encode.p95, 0)}`, fmt(r.coldLoadMs, 0), r.backend.name === 'native' ? `${fmt(speedups.find((s) => s.shape === r.shape)!.nativeOverWasm, 2)}×` : '–',
]));
