/**
 * What int8 *compute* buys on the CPU. The answerai-colbert-small-v1 shape (seeded) run from fp32 safetensors (the
 * SDK's float32 graph, the peer), from the same checkpoint through `optimize-model --weights int8` (the SDK's graph
 * built from int8 safetensors: DynamicQuantizeLinear + MatMulInteger with per-row weight scales), and from the
 * fixture generator's int8 export (`quantize_dynamic`-style, per-tensor int8 weights), each on onnxruntime-web WASM
 * and onnxruntime-node, timed in the same run with alternating runs.
 *
 *   npx tsx bench/int8-compute.ts [--docs 4] [--runs 3] [--threads 2]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { generateOnnxExports, generatePreset } from '@colbert-web/fixtures';
import { compactCheckpointFiles } from '../packages/cli/src/optimize-model.js';
import { scifactDocuments } from './corpus.js';
import { environment, fmt, report } from './stats.js';
import { timeFormats } from './weights-speed.js';
import type { SpeedRow } from './weights-speed.js';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '4' }, runs: { type: 'string', default: '3' }, threads: { type: 'string', default: String(availableParallelism()) } } });
const files = generatePreset('answerai-small');
for (const [path, bytes] of await generateOnnxExports(files, 'backbone')) files.set(path, bytes);
const documents = scifactDocuments(Number(values.docs) * 40).filter((d) => d.length > 1500).slice(0, Number(values.docs));
const int8 = compactCheckpointFiles(files, 'int8');
const formats = new Map([
  ['fp32', { files }],
  ['int8 compute (SDK graph from int8 safetensors)', { files: int8 }],
  ['int8 compute (onnx-int8 export)', { files, weights: 'onnx-int8' as const }],
]);
const rows: SpeedRow[] = [];
for (const backend of ['wasm', 'native'] as const) rows.push(...(await timeFormats(formats, documents, backend, Number(values.threads), Number(values.runs))));
report('int8-compute', { bench: 'int8-compute', shape: 'answerai-small (seeded)', environment: environment(), rows }, ['backend', 'threads', 'weights', 'SDK int8 compute', 'docs', 'encode median / p95 ms', 'docs/s', '× fp32 (same backend, same run)'], rows.map((r) => [
  r.backend, r.threads, r.format, r.int8Compute ? 'yes' : 'no', r.documents, `${fmt(r.encode.median, 0)} / ${fmt(r.encode.p95, 0)}`, fmt(r.docsPerSecond, 2), `${fmt(r.vsFp32, 2)}×`,
]));
