import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateModernBertCheckpoint, generatePreset, presetOptions } from '@colbert-web/fixtures';
import type { ModernBertPresetName } from '@colbert-web/fixtures';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../errors.js';
import { compareWithReference } from '../testing/golden-reference.js';
import type { ReferenceEntry, ReferenceFile } from '../testing/golden-reference.js';
import type { Checkpoint } from './checkpoint.js';
import { loadCheckpoint } from './checkpoint.js';
import { prepareTexts } from './colbert-prep.js';
import type { Encoder } from './encoder.js';
import { folderFiles } from './files/folder-files.js';
import { memoryFiles } from './files/memory-files.js';
import { loadEncoder } from './load-model.js';
import { readModernBertConfig } from './modernbert.js';
import { referenceEncode } from './reference-f64.js';
import { parseSafetensors, writeSafetensors } from './safetensors.js';

// ModernBERT golden fixture (fixtures README §6): PyLate reference embeddings of 40 texts, each as query and document.
const golden = fileURLToPath(new URL('../../../../../shared/fixtures/modernbert-tiny-golden/', import.meta.url));
const TOLERANCE = 1e-5;

interface BatchReference {
  readonly entry_indices: readonly number[];
  readonly shape: readonly [number, number, number];
  readonly offset: number;
}

let reference: ReferenceFile & { batch: { document: BatchReference } };
let bin: Float32Array;
let batchBin: Float32Array;
let checkpoint: Checkpoint;

async function readFloats(path: string): Promise<Float32Array> {
  // Copy so the view is 4-byte aligned whatever offset Node's buffer pool used.
  return new Float32Array(new Uint8Array(await readFile(path)).buffer);
}

/** §4.2: queries attend to their first n_tokens rows only; a document encoded alone attends to all. */
function maskFor(entry: ReferenceEntry): Uint8Array {
  const mask = new Uint8Array(entry.token_ids.length);
  mask.fill(1, 0, entry.mode === 'query' ? entry.n_tokens : entry.token_ids.length);
  return mask;
}

/** Largest |Δ| between the encoder's rows and the float64 reference on the same prepared sequences. */
async function maxDeltaToReference(encoder: Encoder, inputs: readonly { text: string; kind: 'query' | 'document' }[]): Promise<number> {
  const encoded = await encoder.encode(inputs);
  let maxAbs = 0;
  prepareTexts(encoder.tokenizer, encoder.checkpoint.settings, inputs).forEach((prepared, i) => {
    const got = encoded[i]!;
    let k = 0;
    for (const sequence of prepared.sequences) {
      const want = referenceEncode(encoder.checkpoint, sequence.ids, sequence.attentionMask);
      for (const row of sequence.keepRows) {
        for (let c = 0; c < got.dim; c++) maxAbs = Math.max(maxAbs, Math.abs(got.vectors[k * got.dim + c]! - want[row * got.dim + c]!));
        k++;
      }
    }
    expect(k).toBe(got.rows);
  });
  return maxAbs;
}

beforeAll(async () => {
  reference = JSON.parse(await readFile(`${golden}reference/reference.json`, 'utf8')) as typeof reference;
  bin = await readFloats(`${golden}reference/reference.bin`);
  batchBin = await readFloats(`${golden}reference/reference.batch.bin`);
  checkpoint = await loadCheckpoint(folderFiles(`${golden}checkpoint`));
});

describe('config.json', () => {
  const base = { model_type: 'modernbert', vocab_size: 100, hidden_size: 64, num_hidden_layers: 4, num_attention_heads: 2, intermediate_size: 96 };

  test('reads the golden config and fills transformers defaults', () => {
    expect(checkpoint.backbone.kind).toBe('modernbert');
    expect(checkpoint.backbone.config).toMatchObject({
      hiddenSize: 128,
      numLayers: 4,
      layerIsGlobal: [true, false, false, true],
      localAttention: 64,
      globalRopeTheta: 160_000,
      localRopeTheta: 10_000,
      normEps: 1e-5,
      maxPositions: 512,
    });
    expect(readModernBertConfig(base)).toMatchObject({
      maxPositions: 8192,
      localAttention: 128,
      globalRopeTheta: 160_000,
      localRopeTheta: 10_000,
      normEps: 1e-5,
      layerIsGlobal: [true, false, false, true],
      normBias: false,
      attentionBias: false,
      mlpBias: false,
    });
  });

  test('norm_eps falls back to layer_norm_eps; layer_types and rope_parameters (newer transformers) are honoured', () => {
    expect(readModernBertConfig({ ...base, layer_norm_eps: 1e-6 }).normEps).toBe(1e-6);
    expect(readModernBertConfig({ ...base, layer_norm_eps: 1e-6, norm_eps: 1e-7 }).normEps).toBe(1e-7);
    const config = readModernBertConfig({
      ...base,
      layer_types: ['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention'],
      rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 5e5 }, sliding_attention: { rope_type: 'default', rope_theta: 2e4 } },
    });
    expect(config).toMatchObject({ layerIsGlobal: [false, true, false, true], globalRopeTheta: 5e5, localRopeTheta: 2e4 });
  });

  test('settings it cannot run are ModelUnsupported naming the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ hidden_activation: 'gelu_pytorch_tanh' }, 'config.json:hidden_activation'],
      [{ rope_scaling: { rope_type: 'linear', factor: 2 } }, 'config.json:rope_scaling'],
      [{ rope_parameters: { full_attention: { rope_type: 'yarn' } } }, 'config.json:rope_parameters'],
      [{ hidden_size: 66, num_attention_heads: 2 }, 'config.json:num_attention_heads'],
    ];
    for (const [change, subject] of cases) {
      expect(() => readModernBertConfig({ ...base, ...change }), subject).toThrow(expect.objectContaining({ code: ErrorCode.ModelUnsupported, subject }));
    }
    expect(() => readModernBertConfig({ ...base, global_attn_every_n_layers: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.ModelFileCorrupt }));
    expect(() => readModernBertConfig({ ...base, layer_types: ['full_attention'] })).toThrow(expect.objectContaining({ subject: 'config.json:layer_types' }));
  });
});

describe('float64 reference on modernbert-tiny-golden', () => {
  test('all 80 entries match reference.bin within 1e-5', () => {
    expect(reference.entries).toHaveLength(80);
    let maxDelta = 0;
    for (const entry of reference.entries) {
      const [rows, dim] = entry.shape;
      const actual = referenceEncode(checkpoint, Int32Array.from(entry.token_ids), maskFor(entry));
      expect(actual).toHaveLength(rows * dim);
      for (let i = 0; i < rows * dim; i++) maxDelta = Math.max(maxDelta, Math.abs(actual[i]! - bin[entry.offset + i]!));
    }
    console.info(`ModernBERT float64 reference vs reference.bin: max |Δ| = ${maxDelta.toExponential(2)}`);
    expect(maxDelta).toBeLessThanOrEqual(TOLERANCE);
  });

  test('rejects inputs longer than max_position_embeddings', () => {
    expect(() => referenceEncode(checkpoint, new Int32Array(513).fill(5), new Uint8Array(513).fill(1))).toThrow(/positions/);
  });
});

describe('golden parity through loadEncoder → encode (Node, WASM)', () => {
  let encoder: Encoder;
  beforeAll(async () => {
    encoder = await loadEncoder(folderFiles(`${golden}checkpoint`), { threads: 1 });
  });
  afterAll(async () => {
    await encoder.close();
  });

  test('every text as query and as document: same token ids, rows within 1e-5', async () => {
    const encoded = await encoder.encode(reference.entries.map((e) => ({ text: e.text, kind: e.mode })));
    const result = compareWithReference(reference.entries, bin, encoded);
    console.info(`ModernBERT encoder vs reference.bin: max |Δ| = ${result.maxAbs.toExponential(2)} over ${result.comparedRows} rows`);
    expect(result.idMismatches).toEqual([]);
    expect(result.comparedRows).toBeGreaterThan(3000);
    expect(result.maxAbs).toBeLessThanOrEqual(TOLERANCE);
    expect(encoder.model).toMatchObject({ architecture: 'modernbert', layers: 4, hiddenSize: 128, dim: 64 });
  });

  test('the 40 documents in one padded batch match reference.batch.bin on their real rows', async () => {
    const { entry_indices: indices, shape, offset } = reference.batch.document;
    const [batch, length, dim] = shape;
    // One batch of all 40, padded to the longest (256), as the reference encoded them.
    const batched = await loadEncoder(folderFiles(`${golden}checkpoint`), { threads: 1, maxBatchTokens: batch * length });
    try {
      const entries = indices.map((i) => reference.entries[i]!);
      const encoded = await batched.encode(entries.map((e) => ({ text: e.text, kind: e.mode })));
      // Each document's real rows start at b·L·dim in reference.batch.bin.
      const located = entries.map((e, b) => ({ ...e, offset: offset + b * length * dim }));
      const result = compareWithReference(located, batchBin, encoded);
      console.info(`ModernBERT encoder, one batch of 40 vs reference.batch.bin: max |Δ| = ${result.maxAbs.toExponential(2)}`);
      expect(result.idMismatches).toEqual([]);
      expect(result.maxAbs).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      await batched.close();
    }
  });
});

describe('ModernBERT checkpoints the golden fixture does not cover: encoder vs float64 reference', () => {
  const texts = [
    'What is the role of p53 in apoptosis?',
    'Café Ñandú — naïve résumé! 東京 🙂',
    '',
    'Transcription factors bind promoter regions and regulate gene expression in response to signals. '.repeat(12),
  ];
  const inputs = texts.flatMap((text) => [{ text, kind: 'query' as const }, { text, kind: 'document' as const }]);
  const load = (files: Map<string, Uint8Array>, name: string): Promise<Encoder> => loadEncoder(memoryFiles(files, name), { threads: 1 });

  test.each(['modernbert-other-shape', 'modernbert-prefixed', 'modernbert-two-dense'] as const)('%s', async (preset: ModernBertPresetName) => {
    const encoder = await load(generatePreset(preset), preset);
    try {
      const delta = await maxDeltaToReference(encoder, inputs);
      console.info(`${preset}: encoder vs float64 reference max |Δ| = ${delta.toExponential(2)}`);
      expect(delta).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      await encoder.close();
    }
  });

  test('modernbert-prefixed (model. prefix, head.* and decoder.bias present) encodes exactly like modernbert-tiny', async () => {
    const names = [...parseSafetensors(generatePreset('modernbert-prefixed').get('model.safetensors')!, 'model.safetensors').keys()];
    expect(names).toEqual(expect.arrayContaining(['model.embeddings.tok_embeddings.weight', 'head.dense.weight', 'head.norm.weight', 'decoder.bias']));
    const [tiny, prefixed] = [await load(generatePreset('modernbert-tiny'), 'tiny'), await load(generatePreset('modernbert-prefixed'), 'prefixed')];
    try {
      const [a, b] = [await tiny.encode(inputs), await prefixed.encode(inputs)];
      expect(b.map((e) => Array.from(e.vectors))).toEqual(a.map((e) => Array.from(e.vectors)));
    } finally {
      await tiny.close();
      await prefixed.close();
    }
  });

  test('modernbert-two-dense: 128 → 512 (bias, GELU) → 48 (bias), and no query expansion', async () => {
    const encoder = await load(generatePreset('modernbert-two-dense'), 'two-dense');
    try {
      expect(encoder.checkpoint.dense.map((d) => [d.inFeatures, d.outFeatures, d.activation, d.bias !== undefined])).toEqual([
        [128, 512, 'gelu', true],
        [512, 48, 'identity', true],
      ]);
      const [query] = await encoder.encode([{ text: 'short query', kind: 'query' }]);
      expect(query!.rows).toBeLessThan(encoder.checkpoint.settings.queryLength);
      expect(query!.dim).toBe(48);
    } finally {
      await encoder.close();
    }
  });

  test('norm, attention and MLP biases (norm_bias / attention_bias / mlp_bias true) are applied', async () => {
    const options = presetOptions('modernbert-other-shape');
    const files = generateModernBertCheckpoint({ ...options, shape: { ...options.shape, normBias: true, attentionBias: true, mlpBias: true } });
    const names = [...parseSafetensors(files.get('model.safetensors')!, 'model.safetensors').keys()];
    expect(names).toEqual(expect.arrayContaining(['layers.1.attn_norm.bias', 'layers.0.attn.Wqkv.bias', 'layers.0.attn.Wo.bias', 'layers.0.mlp.Wi.bias', 'layers.0.mlp.Wo.bias', 'final_norm.bias']));
    const encoder = await load(files, 'biased');
    try {
      expect(await maxDeltaToReference(encoder, inputs)).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      await encoder.close();
    }
  });

  test('a document of more than 4,096 tokens (modernbert-long: 4,400 positions, banded local attention)', async () => {
    const encoder = await load(generatePreset('modernbert-long'), 'long');
    try {
      const words = ['protein', 'binding', 'receptor', 'tumour', 'cells', 'expression', 'of', 'the', 'pathway', 'in', 'mice', 'signal', 'gene', 'clinical', 'trial', 'risk'];
      let state = 12345;
      const text = Array.from({ length: 5000 }, () => words[(state = (state * 1103515245 + 12345) >>> 0) % words.length]).join(' ');
      const started = performance.now();
      const [document] = await encoder.encode([{ text, kind: 'document' }]);
      expect(document!.truncated).toBe(true);
      const [prepared] = prepareTexts(encoder.tokenizer, encoder.checkpoint.settings, [{ text, kind: 'document' }]);
      expect(prepared!.sequences[0]!.ids.length).toBe(4300);
      const delta = await maxDeltaToReference(encoder, [{ text, kind: 'document' }]);
      console.info(`modernbert-long, 4,300 tokens: max |Δ| = ${delta.toExponential(2)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      expect(delta).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      await encoder.close();
    }
  });
});

describe('broken ModernBERT checkpoints are typed errors naming the tensor or field', () => {
  const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
  const parse = (bytes: Uint8Array): Record<string, unknown> => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  const base = (): Map<string, Uint8Array> => new Map(generatePreset('modernbert-tiny'));
  const load = (files: Map<string, Uint8Array>): Promise<Checkpoint> => loadCheckpoint(memoryFiles(files, 'broken'));
  const withConfig = (change: Record<string, unknown>): Map<string, Uint8Array> => {
    const files = base();
    files.set('config.json', json({ ...parse(files.get('config.json')!), ...change }));
    return files;
  };

  test('intermediate_size that does not match Wi names layers.0.mlp.Wi.weight', async () => {
    const error = await load(withConfig({ intermediate_size: 256 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.ModelShapeMismatch, subject: 'model.safetensors:layers.0.mlp.Wi.weight' });
    expect((error as Error).message).toMatch(/layers\.0\.mlp\.Wi\.weight has shape \[384, 128\] but config\.json implies \[512, 128\]/);
  });

  test('a wrongly shaped tensor deep in the file is named, with the model. prefix when it has one', async () => {
    for (const preset of ['modernbert-tiny', 'modernbert-prefixed'] as const) {
      const files = new Map(generatePreset(preset));
      const tensors = parseSafetensors(files.get('model.safetensors')!, 'model.safetensors');
      const prefix = preset === 'modernbert-prefixed' ? 'model.' : '';
      files.set('model.safetensors', writeSafetensors([...tensors].map(([name, t]) => (name === `${prefix}layers.3.attn.Wqkv.weight` ? { name, shape: [128, 384], data: t.data } : { name, shape: t.shape, data: t.data }))));
      const error = await load(files).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.ModelShapeMismatch, subject: `model.safetensors:${prefix}layers.3.attn.Wqkv.weight` });
    }
  });

  test('a missing tensor, and bias tensors the config asks for but the file lacks, are named', async () => {
    await expect(load(withConfig({ attention_bias: true }))).rejects.toMatchObject({ code: ErrorCode.ModelFileCorrupt, subject: 'model.safetensors:layers.0.attn.Wqkv.bias' });
    const files = base();
    const tensors = parseSafetensors(files.get('model.safetensors')!, 'model.safetensors');
    files.set('model.safetensors', writeSafetensors([...tensors].filter(([name]) => name !== 'final_norm.weight').map(([name, t]) => ({ name, shape: t.shape, data: t.data }))));
    await expect(load(files)).rejects.toMatchObject({ code: ErrorCode.ModelFileCorrupt, subject: 'model.safetensors:final_norm.weight' });
  });

  test('an unknown model_type lists the supported ones', async () => {
    const error = await load(withConfig({ model_type: 'roberta' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.ModelUnsupported, subject: 'config.json:model_type' });
    expect((error as Error).message).toContain('supported: bert, modernbert');
  });

  test('a document_length beyond max_position_embeddings is rejected at load, so no input can exceed the rotary tables', async () => {
    const error = await load(withConfig({ max_position_embeddings: 200 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.ModelUnsupported, subject: 'config_sentence_transformers.json:document_length' });
    expect((error as Error).message).toMatch(/document_length is 256 but the model has only 200 positions/);
  });
});
