import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../checkpoint.js';
import { loadCheckpoint } from '../checkpoint.js';
import { folderFiles } from '../files/folder-files.js';
import { memoryFiles } from '../files/memory-files.js';
import { parseSafetensors, writeSafetensors } from '../safetensors.js';
import { ATTENTION_MASK, EMBEDDINGS, INPUT_IDS, buildEncoderGraph } from './build-graph.js';

ort.env.wasm.numThreads = 1;

const FIXTURE = fileURLToPath(new URL('../../../../../../shared/fixtures/colbert-tiny-golden/', import.meta.url));
const TOLERANCE = 1e-5;

interface ReferenceEntry {
  id: string;
  mode: 'query' | 'document';
  shape: [number, number];
  offset: number;
  n_tokens: number;
  token_ids: number[];
}

interface Reference {
  embedding_dim: number;
  attend_to_expansion_tokens: boolean;
  entries: ReferenceEntry[];
  batch: { document: { entry_indices: number[]; shape: [number, number, number]; offset: number } };
}

let reference: Reference;
let referenceBin: Float32Array;
let referenceBatchBin: Float32Array;
let checkpoint: Checkpoint;
let session: ort.InferenceSession;

async function readFloats(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** §4.2 of the fixture README: queries attend to their first n_tokens only, documents to everything. */
function attentionMask(entry: ReferenceEntry, attendToExpansion: boolean): number[] {
  return entry.token_ids.map((_, i) => (entry.mode === 'document' || attendToExpansion || i < entry.n_tokens ? 1 : 0));
}

async function encode(s: ort.InferenceSession, ids: number[][], masks: number[][]): Promise<ort.Tensor> {
  const batch = ids.length;
  const seq = ids[0]!.length;
  const int64 = (rows: number[][]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [batch, seq]);
  const outputs = await s.run({ [INPUT_IDS]: int64(ids), [ATTENTION_MASK]: int64(masks) });
  return outputs[EMBEDDINGS]!;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

beforeAll(async () => {
  reference = JSON.parse(await readFile(`${FIXTURE}reference/reference.json`, 'utf8')) as Reference;
  referenceBin = await readFloats(`${FIXTURE}reference/reference.bin`);
  referenceBatchBin = await readFloats(`${FIXTURE}reference/reference.batch.bin`);
  checkpoint = await loadCheckpoint(folderFiles(`${FIXTURE}checkpoint`));
  session = await ort.InferenceSession.create(buildEncoderGraph(checkpoint));
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
    expect(reference.entries).toHaveLength(80);
    let worst = 0;
    for (const entry of reference.entries) {
      const out = await encode(session, [entry.token_ids], [attentionMask(entry, reference.attend_to_expansion_tokens)]);
      expect(out.dims).toEqual([1, entry.token_ids.length, reference.embedding_dim]);
      const [rows, dim] = entry.shape;
      const expected = referenceBin.subarray(entry.offset, entry.offset + rows * dim);
      const diff = maxAbsDiff(out.data as Float32Array, expected);
      expect(diff, `${entry.id} (${entry.mode})`).toBeLessThanOrEqual(TOLERANCE);
      worst = Math.max(worst, diff);
    }
    console.info(`single encodes: max |Δ| = ${worst.toExponential(3)}`);
  });

  it('matches reference.batch.bin on the real rows of the padded document batch', async () => {
    const { entry_indices: indices, shape, offset } = reference.batch.document;
    const [batch, seq, dim] = shape;
    const entries = indices.map((i) => reference.entries[i]!);
    const ids = entries.map((e) => [...e.token_ids, ...new Array<number>(seq - e.token_ids.length).fill(0)]);
    const masks = entries.map((e) => e.token_ids.map(() => 1).concat(new Array<number>(seq - e.token_ids.length).fill(0)));
    const out = await encode(session, ids, masks);
    expect(out.dims).toEqual([batch, seq, dim]);
    const data = out.data as Float32Array;
    let worstReal = 0;
    let worstPad = 0;
    entries.forEach((entry, b) => {
      const real = entry.token_ids.length * dim;
      const at = b * seq * dim;
      worstReal = Math.max(worstReal, maxAbsDiff(data.subarray(at, at + real), referenceBatchBin.subarray(offset + at, offset + at + real)));
      worstPad = Math.max(worstPad, maxAbsDiff(data.subarray(at + real, at + seq * dim), referenceBatchBin.subarray(offset + at + real, offset + at + seq * dim)));
    });
    console.info(`document batch: real rows max |Δ| = ${worstReal.toExponential(3)}, [PAD] rows max |Δ| = ${worstPad.toExponential(3)}`);
    expect(worstReal).toBeLessThanOrEqual(TOLERANCE);
  });

  it('gives identical output for a checkpoint whose BERT tensors carry the "bert." prefix', async () => {
    const folder = `${FIXTURE}checkpoint/`;
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
    expect(Buffer.compare(prefixedBytes, buildEncoderGraph(checkpoint))).toBe(0);
    const prefixedSession = await ort.InferenceSession.create(prefixedBytes);
    try {
      for (const entry of reference.entries.slice(0, 4)) {
        const mask = attentionMask(entry, reference.attend_to_expansion_tokens);
        const a = await encode(session, [entry.token_ids], [mask]);
        const b = await encode(prefixedSession, [entry.token_ids], [mask]);
        expect(b.data).toEqual(a.data);
      }
    } finally {
      await prefixedSession.release();
    }
  });
});
