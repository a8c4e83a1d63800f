import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CheckpointFiles, ExportContents } from '@colbert-web/fixtures';
import { exportModelSpec, generateOnnxExports, generatePreset } from '@colbert-web/fixtures';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scifactDocuments, scifactQueries } from '../../../../bench/corpus.js';
import { ErrorCode } from '../errors.js';
import type { WeightsFormat } from './onnx-export.js';
import { compareWithReference } from '../testing/golden-reference.js';
import type { ReferenceFile } from '../testing/golden-reference.js';
import type { Checkpoint } from './checkpoint.js';
import { isExportCheckpoint, loadCheckpoint } from './checkpoint.js';
import type { Encoder } from './encoder.js';
import { memoryFiles } from './files/memory-files.js';
import { GraphBuilder } from './graph/graph-builder.js';
import { OnnxDataType, attr, encodeModel } from './graph/onnx-proto.js';
import { loadEncoder } from './load-model.js';
import { describeExport } from './onnx-export.js';
import type { EncodedText } from './prepared.js';

const shared = fileURLToPath(new URL('../../../../../shared/', import.meta.url));
const DOCUMENTS = 100;
const QUERIES = 10;
const TOP_K = 10;

const MODELS = [
  { name: 'BERT', preset: 'tiny', golden: 'colbert-tiny-golden' },
  { name: 'ModernBERT', preset: 'modernbert-tiny', golden: 'modernbert-tiny-golden' },
] as const;

/** The checkpoint's files with the given exports and without model.safetensors: a repository that ships only ONNX weights. */
function onnxOnly(files: CheckpointFiles, exports: CheckpointFiles): CheckpointFiles {
  const repo = new Map([...files, ...exports]);
  repo.delete('model.safetensors');
  return repo;
}

/** Every kept row of `a` against the same row of `b`: the smallest cosine similarity and the largest |Δ|. */
function compareRows(a: readonly EncodedText[], b: readonly EncodedText[]): { minCosine: number; maxAbs: number; rows: number } {
  let minCosine = 1;
  let maxAbs = 0;
  let rows = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(x.rows).toBe(y.rows);
    for (let r = 0; r < x.rows; r++) {
      let dot = 0;
      let xx = 0;
      let yy = 0;
      for (let c = 0; c < x.dim; c++) {
        const [u, v] = [x.vectors[r * x.dim + c]!, y.vectors[r * x.dim + c]!];
        dot += u * v;
        xx += u * u;
        yy += v * v;
        maxAbs = Math.max(maxAbs, Math.abs(u - v));
      }
      minCosine = Math.min(minCosine, dot / Math.sqrt(xx * yy));
      rows++;
    }
  });
  return { minCosine, maxAbs, rows };
}

/** ColBERT's late interaction in float64: Σ over query rows of the best dot product with any document row. */
function maxSim(query: EncodedText, document: EncodedText): number {
  const dim = query.dim;
  let score = 0;
  for (let q = 0; q < query.rows; q++) {
    let best = -Infinity;
    for (let d = 0; d < document.rows; d++) {
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += query.vectors[q * dim + c]! * document.vectors[d * dim + c]!;
      best = Math.max(best, dot);
    }
    score += best;
  }
  return score;
}

/** Indices of the top-k documents for each query (ties by index). */
function topK(queries: readonly EncodedText[], documents: readonly EncodedText[]): number[][] {
  return queries.map((query) => {
    const scores = documents.map((document, i) => ({ i, score: maxSim(query, document) }));
    return scores.sort((a, b) => b.score - a.score || a.i - b.i).slice(0, TOP_K).map((s) => s.i);
  });
}

/** Mean and smallest |top-k(a) ∩ top-k(b)| / k over the queries. */
function overlap(a: readonly number[][], b: readonly number[][]): { mean: number; min: number } {
  const per = a.map((top, q) => top.filter((i) => b[q]!.includes(i)).length / TOP_K);
  return { mean: per.reduce((s, v) => s + v, 0) / per.length, min: Math.min(...per) };
}

async function encodeWith(files: CheckpointFiles, weights: WeightsFormat, inputs: readonly { text: string; kind: 'query' | 'document' }[]): Promise<EncodedText[]> {
  const encoder = await loadEncoder(memoryFiles(files), { threads: 1, weights });
  try {
    return await encoder.encode(inputs);
  } finally {
    await encoder.close();
  }
}

const measured: Record<string, unknown>[] = [];
afterAll(() => {
  // The figures the README quotes.
  console.log(`ONNX export precision (Node, WASM):\n${measured.map((m) => JSON.stringify(m)).join('\n')}`);
});

describe.each(MODELS)('$name ($preset) ONNX exports', ({ name, preset, golden }) => {
  let files: CheckpointFiles;
  const exports = new Map<ExportContents, CheckpointFiles>();
  let reference: ReferenceFile;
  let bin: Float32Array;
  const documents = scifactDocuments(DOCUMENTS).map((text) => ({ text, kind: 'document' as const }));
  const queries = scifactQueries(QUERIES).map((text) => ({ text, kind: 'query' as const }));

  beforeAll(async () => {
    files = generatePreset(preset);
    exports.set('backbone', await generateOnnxExports(files, 'backbone'));
    exports.set('dense', await generateOnnxExports(files, 'dense'));
    reference = JSON.parse(await readFile(`${shared}fixtures/${golden}/reference/reference.json`, 'utf8')) as ReferenceFile;
    bin = new Float32Array(new Uint8Array(await readFile(`${shared}fixtures/${golden}/reference/reference.bin`)).buffer);
  });

  test.each(['backbone', 'dense'] as const)('float32 export (%s) without model.safetensors matches the golden reference and the safetensors path within 1e-5', async (contents) => {
    const repo = onnxOnly(files, exports.get(contents)!);
    expect(repo.has('model.safetensors')).toBe(false);
    const encoder: Encoder = await loadEncoder(memoryFiles(repo), { threads: 1, weights: 'onnx' });
    try {
      const { checkpoint } = encoder;
      expect(isExportCheckpoint(checkpoint) && checkpoint.onnxExport).toMatchObject({
        file: 'onnx/model.onnx',
        head: contents === 'backbone' ? 'dense' : 'normalize',
        tokenTypeIds: preset === 'tiny',
      });
      const inputs = reference.entries.map((e) => ({ text: e.text, kind: e.mode }));
      const encoded = await encoder.encode(inputs);
      const result = compareWithReference(reference.entries, bin, encoded);
      expect(result.idMismatches).toEqual([]);
      expect(result.maxAbs).toBeLessThanOrEqual(1e-5);
      const safetensors = compareRows(encoded, await encodeWith(files, 'safetensors', inputs));
      expect(safetensors.maxAbs).toBeLessThanOrEqual(1e-5);
      measured.push({ model: name, export: contents, precision: 'fp32', maxAbsVsGolden: result.maxAbs, maxAbsVsSafetensors: safetensors.maxAbs });
    } finally {
      await encoder.close();
    }
  });

  test.each(['backbone', 'dense'] as const)('float16 and int8 exports (%s): per-row cosine with float32 and MaxSim top-10 overlap on SciFact', async (contents) => {
    const repo = onnxOnly(files, exports.get(contents)!);
    const inputs = [...queries, ...documents, ...reference.entries.map((e) => ({ text: e.text, kind: e.mode }))];
    const split = (encoded: EncodedText[]): { q: EncodedText[]; d: EncodedText[] } => ({ q: encoded.slice(0, QUERIES), d: encoded.slice(QUERIES, QUERIES + DOCUMENTS) });
    const fp32 = await encodeWith(repo, 'onnx', inputs);
    const baseline = split(fp32);
    const fp32Top = topK(baseline.q, baseline.d);
    for (const [weights, floor] of [['onnx-fp16', 0.999], ['onnx-int8', 0.99]] as const) {
      const encoded = await encodeWith(repo, weights, inputs);
      const rows = compareRows(encoded, fp32);
      const { q, d } = split(encoded);
      const top = overlap(fp32Top, topK(q, d));
      measured.push({ model: name, export: contents, precision: weights, rows: rows.rows, minCosine: rows.minCosine, maxAbs: rows.maxAbs, overlapAt10: top });
      expect(rows.minCosine, weights).toBeGreaterThanOrEqual(floor);
      expect(top.mean, weights).toBeGreaterThanOrEqual(weights === 'onnx-fp16' ? 0.95 : 0.8);
    }
  });
});

describe('ONNX export errors and detection', () => {
  let tiny: CheckpointFiles;
  let tinyExports: CheckpointFiles;

  beforeAll(async () => {
    tiny = generatePreset('tiny');
    tinyExports = await generateOnnxExports(tiny, 'backbone');
  });

  test('a missing export file is ModelFileMissing naming it', async () => {
    const repo = onnxOnly(tiny, new Map([['onnx/model.onnx', tinyExports.get('onnx/model.onnx')!]]));
    await expect(loadCheckpoint(memoryFiles(repo), { weights: 'onnx-fp16' })).rejects.toMatchObject({
      code: ErrorCode.ModelFileMissing,
      subject: 'onnx/model_fp16.onnx',
      message: expect.stringContaining('onnx/model_fp16.onnx') as unknown,
    });
    // The default still needs model.safetensors.
    await expect(loadCheckpoint(memoryFiles(repo))).rejects.toMatchObject({ code: ErrorCode.ModelFileMissing, subject: 'model.safetensors' });
  });

  test('an export whose output is neither hidden_size nor the output dim is ModelShapeMismatch naming the file', async () => {
    // tiny-two-dense's folded export ends at 48 wide; tiny has hidden_size 128 and dim 96.
    const wrong = await generateOnnxExports(generatePreset('tiny-two-dense'), 'dense');
    const repo = onnxOnly(tiny, new Map([['onnx/model_quantized.onnx', wrong.get('onnx/model_quantized.onnx')!]]));
    await expect(loadCheckpoint(memoryFiles(repo), { weights: 'onnx-int8' })).rejects.toMatchObject({
      code: ErrorCode.ModelShapeMismatch,
      subject: 'onnx/model_quantized.onnx',
      message: expect.stringMatching(/onnx\/model_quantized\.onnx: output "token_embeddings" is 48 wide/) as unknown,
    });
  });

  test('a file that is not ONNX is ModelFileCorrupt; an unknown weights option is InvalidInput', async () => {
    const pointer = new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n');
    const repo = onnxOnly(tiny, new Map([['onnx/model.onnx', pointer]]));
    await expect(loadCheckpoint(memoryFiles(repo), { weights: 'onnx' })).rejects.toMatchObject({ code: ErrorCode.ModelFileCorrupt, subject: 'onnx/model.onnx' });
    await expect(loadCheckpoint(memoryFiles(repo), { weights: 'onnx-q4' as WeightsFormat })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, subject: 'weights' });
  });

  /** A graph with the given inputs and a first output [batch, sequence, width] named `output`. */
  function signatureOnly(inputs: readonly { name: string; type?: OnnxDataType; dims?: readonly (number | string)[] }[], output: string, width: number, outputType: OnnxDataType = OnnxDataType.Float): Uint8Array {
    const g = new GraphBuilder('signature');
    const names = inputs.map((i) => g.input(i.name, i.type ?? OnnxDataType.Int64, i.dims ?? ['batch', 'sequence']));
    g.output(g.op('Cast', [names[0]!], { to: attr.int(outputType) }), output, outputType, ['batch', 'sequence', width]);
    return g.build();
  }
  const TOKENS = [{ name: 'input_ids' }, { name: 'attention_mask' }];
  const expected = { hiddenSize: 64, dim: 64, denseModules: 1 };

  test('when hidden_size equals the output dim, last_hidden_state is the backbone alone and any other name has the Dense folded in', () => {
    expect(describeExport(signatureOnly(TOKENS, 'last_hidden_state', 64), 'm.onnx', expected).head).toBe('dense');
    expect(describeExport(signatureOnly(TOKENS, 'token_embeddings', 64), 'm.onnx', expected).head).toBe('normalize');
    expect(describeExport(signatureOnly(TOKENS, 'token_embeddings', 64), 'm.onnx', { ...expected, denseModules: 0 }).head).toBe('dense');
    expect(describeExport(signatureOnly(TOKENS, 'x', 64, OnnxDataType.Float16), 'm.onnx', expected)).toMatchObject({ outputType: 'float16', width: 64 });
  });

  test.each([
    ['an input the encoder cannot feed', [...TOKENS, { name: 'position_ids' }], /graph input "position_ids"/],
    ['a fixed sequence length', [{ name: 'input_ids', dims: ['batch', 512] }, { name: 'attention_mask' }], /both axes dynamic/],
    ['int32 token ids', [{ name: 'input_ids', type: OnnxDataType.Int32 }, { name: 'attention_mask' }], /must be int64/],
    ['no attention_mask', [{ name: 'input_ids' }], /no "attention_mask" input/],
  ] as const)('%s is ModelUnsupported', (_, inputs, message) => {
    expect(() => describeExport(signatureOnly(inputs, 'last_hidden_state', 64), 'm.onnx', expected)).toThrow(message);
    expect(() => describeExport(signatureOnly(inputs, 'last_hidden_state', 64), 'm.onnx', expected)).toThrow(expect.objectContaining({ code: ErrorCode.ModelUnsupported, subject: 'm.onnx' }) as Error);
  });

  test('an export with a float16 output runs: the head casts it to float32', async () => {
    const checkpoint: Checkpoint = await loadCheckpoint(memoryFiles(tiny));
    const spec = exportModelSpec(checkpoint, 'backbone');
    const [output] = spec.graph.outputs;
    // Rename the float32 output and cast it, as converters that do not keep float32 I/O leave it.
    const nodes = spec.graph.nodes.map((n) => ({ ...n, outputs: n.outputs.map((o) => (o === output!.name ? 'hidden_f32' : o)) }));
    nodes.push({ opType: 'Cast', inputs: ['hidden_f32'], outputs: [output!.name], name: 'to_f16', attributes: { to: attr.int(OnnxDataType.Float16) } });
    const model = encodeModel({ ...spec, graph: { ...spec.graph, nodes, outputs: [{ ...output!, dataType: OnnxDataType.Float16 }] } });
    const repo = onnxOnly(tiny, new Map([['onnx/model.onnx', model]]));
    const inputs = [{ text: 'float16 hidden states', kind: 'query' as const }, { text: 'ColBERT scores every token.', kind: 'document' as const }];
    const rows = compareRows(await encodeWith(repo, 'onnx', inputs), await encodeWith(tiny, 'safetensors', inputs));
    expect(rows.minCosine).toBeGreaterThanOrEqual(0.9999);
  });
});
