import { readFile, readdir } from 'node:fs/promises';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReferenceEntry } from '../../testing/golden-reference.js';
import type { GoldenFixture } from '../../testing/golden-fixture.js';
import { documentBatch, documentBatchDiff, loadGoldenFixture, maxAbsDiff } from '../../testing/golden-fixture.js';
import { loadCheckpoint } from '../checkpoint.js';
import { memoryFiles } from '../files/memory-files.js';
import { parseSafetensors, writeSafetensors } from '../safetensors.js';
import { ATTENTION_MASK, EMBEDDINGS, INPUT_IDS, buildEncoderGraph } from './build-graph.js';

ort.env.wasm.numThreads = 1;

const TOLERANCE = 1e-5;

let golden: GoldenFixture;
let session: ort.InferenceSession;

/** §4.2 of the fixture README: queries attend to their first n_tokens only, documents to everything. */
function attentionMask(entry: ReferenceEntry, attendToExpansion?: boolean): number[] {
  return entry.token_ids.map((_, i) => (entry.mode === 'document' || attendToExpansion || i < entry.n_tokens ? 1 : 0));
}

async function encode(s: ort.InferenceSession, ids: readonly (readonly number[])[], masks: readonly (readonly number[])[]): Promise<ort.Tensor> {
  const batch = ids.length;
  const seq = ids[0]!.length;
  const int64 = (rows: readonly (readonly number[])[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [batch, seq]);
  const outputs = await s.run({ [INPUT_IDS]: int64(ids), [ATTENTION_MASK]: int64(masks) });
  return outputs[EMBEDDINGS]!;
}

beforeAll(async () => {
  golden = await loadGoldenFixture('colbert-tiny-golden');
  session = await ort.InferenceSession.create(buildEncoderGraph(golden.checkpoint));
});

afterAll(async () => {
  await session?.release();
});

describe('buildEncoderGraph on the BERT golden fixture', () => {
  it('exposes the documented inputs and output', () => {
    expect([...session.inputNames].sort()).toEqual([ATTENTION_MASK, INPUT_IDS].sort());
    expect(session.outputNames).toEqual([EMBEDDINGS]);
  });

  it('matches reference.bin for all 80 single encodes', async () => {
    expect(golden.reference.entries).toHaveLength(80);
    let worst = 0;
    for (const entry of golden.reference.entries) {
      const out = await encode(session, [entry.token_ids], [attentionMask(entry, golden.reference.attend_to_expansion_tokens)]);
      expect(out.dims).toEqual([1, entry.token_ids.length, golden.reference.embedding_dim]);
      const [rows, dim] = entry.shape;
      const expected = golden.bin.subarray(entry.offset, entry.offset + rows * dim);
      const diff = maxAbsDiff(out.data as Float32Array, expected);
      expect(diff, `${entry.id} (${entry.mode})`).toBeLessThanOrEqual(TOLERANCE);
      worst = Math.max(worst, diff);
    }
    console.info(`single encodes: max |Δ| = ${worst.toExponential(3)}`);
  });

  it('matches reference.batch.bin on the real rows of the padded document batch', async () => {
    const { ids, masks, shape } = documentBatch(golden.reference);
    const out = await encode(session, ids, masks);
    expect(out.dims).toEqual(shape);
    const { real: worstReal, pad: worstPad } = documentBatchDiff(out.data as Float32Array, golden);
    console.info(`document batch: real rows max |Δ| = ${worstReal.toExponential(3)}, [PAD] rows max |Δ| = ${worstPad.toExponential(3)}`);
    expect(worstReal).toBeLessThanOrEqual(TOLERANCE);
  });

  it('gives identical output for a checkpoint whose BERT tensors carry the "bert." prefix', async () => {
    const folder = `${golden.folder}checkpoint/`;
    const files = new Map<string, Uint8Array>();
    for (const path of ['config.json', 'config_sentence_transformers.json', 'modules.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
      files.set(path, new Uint8Array(await readFile(folder + path)));
    }
    for (const name of await readdir(`${folder}1_Dense`)) files.set(`1_Dense/${name}`, new Uint8Array(await readFile(`${folder}1_Dense/${name}`)));
    const tensors = parseSafetensors(new Uint8Array(await readFile(`${folder}model.safetensors`)), 'model.safetensors');
    files.set('model.safetensors', writeSafetensors([...tensors].map(([name, t]) => ({ name: `bert.${name}`, shape: t.shape, data: t.data }))));

    const prefixed = await loadCheckpoint(memoryFiles(files, 'bert-prefixed'));
    const prefixedBytes = buildEncoderGraph(prefixed);
    // The graph names its weights itself, so the model bytes do not depend on the tensor prefix at all.
    expect(Buffer.compare(prefixedBytes, buildEncoderGraph(golden.checkpoint))).toBe(0);
    const prefixedSession = await ort.InferenceSession.create(prefixedBytes);
    try {
      for (const entry of golden.reference.entries.slice(0, 4)) {
        const mask = attentionMask(entry, golden.reference.attend_to_expansion_tokens);
        const a = await encode(session, [entry.token_ids], [mask]);
        const b = await encode(prefixedSession, [entry.token_ids], [mask]);
        expect(b.data).toEqual(a.data);
      }
    } finally {
      await prefixedSession.release();
    }
  });
});
