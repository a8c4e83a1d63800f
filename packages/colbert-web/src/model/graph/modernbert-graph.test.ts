import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoldenFixture } from '../../testing/golden-fixture.js';
import { documentBatch, documentBatchDiff, loadGoldenFixture, maxAbsDiff } from '../../testing/golden-fixture.js';
import { ATTENTION_MASK, EMBEDDINGS, INPUT_IDS, buildEncoderGraph } from './build-graph.js';
import { rotaryTables } from './modernbert-graph.js';

ort.env.wasm.numThreads = 1;

const TOLERANCE = 1e-5;

let golden: GoldenFixture;
const sessions = new Map<number | undefined, ort.InferenceSession>();

/** A session on the golden checkpoint; `chunk` is the banded local attention's chunk size (undefined: default). */
async function session(chunk?: number): Promise<ort.InferenceSession> {
  let s = sessions.get(chunk);
  if (!s) sessions.set(chunk, (s = await ort.InferenceSession.create(buildEncoderGraph(golden.checkpoint, { localAttentionChunk: chunk }))));
  return s;
}

async function encode(s: ort.InferenceSession, ids: readonly (readonly number[])[], masks: readonly (readonly number[])[]): Promise<Float32Array> {
  const shape = [ids.length, ids[0]!.length];
  const int64 = (rows: readonly (readonly number[])[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), shape);
  const out = (await s.run({ [INPUT_IDS]: int64(ids), [ATTENTION_MASK]: int64(masks) }))[EMBEDDINGS]!;
  expect(out.dims).toEqual([...shape, golden.reference.embedding_dim]);
  return out.data as Float32Array;
}

beforeAll(async () => {
  golden = await loadGoldenFixture('modernbert-tiny-golden');
});

afterAll(async () => {
  for (const s of sessions.values()) await s.release();
});

describe('modernBertGraph on the ModernBERT golden fixture', () => {
  // Default chunking keeps every golden sequence (≤ 256 tokens) in one chunk; 40 and 7 force several chunks
  // (7 is narrower than the ±32 window, so chunks reach past their neighbours).
  it.each([undefined, 40, 7])('matches reference.bin for all 80 single encodes (local attention chunk %s)', async (chunk) => {
    const s = await session(chunk);
    let worst = 0;
    for (const entry of golden.reference.entries) {
      const mask = entry.token_ids.map((_, i) => (entry.mode === 'document' || i < entry.n_tokens ? 1 : 0));
      const out = await encode(s, [entry.token_ids], [mask]);
      const [rows, dim] = entry.shape;
      const diff = maxAbsDiff(out, golden.bin.subarray(entry.offset, entry.offset + rows * dim));
      expect(diff, `${entry.id} (${entry.mode})`).toBeLessThanOrEqual(TOLERANCE);
      worst = Math.max(worst, diff);
    }
    console.info(`ModernBERT graph, chunk ${String(chunk ?? 'default')}: single encodes max |Δ| = ${worst.toExponential(3)}`);
  });

  it('matches reference.batch.bin on the real rows of the padded document batch (padded with id 0, as the reference)', async () => {
    const { ids, masks } = documentBatch(golden.reference);
    for (const chunk of [undefined, 40]) {
      const data = await encode(await session(chunk), ids, masks);
      const { real: worstReal, pad: worstPad } = documentBatchDiff(data, golden);
      expect(Array.from(data).every(Number.isFinite)).toBe(true);
      // [PAD] rows are not compared (README §6.3: their windows can hold no attended key); reported only.
      console.info(`ModernBERT graph, chunk ${String(chunk ?? 'default')}: document batch real rows max |Δ| = ${worstReal.toExponential(3)}, [PAD] rows ${worstPad.toExponential(3)}`);
      expect(worstReal).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('a query row whose window holds no attended key stays finite (the window, not the sequence, takes its attention)', async () => {
    // 40 [MASK] expansion rows after 3 attended tokens: rows past position 35 see no attended key in local layers.
    const ids = [1985, 2048, 1986, ...new Array<number>(40).fill(1988)];
    const mask = ids.map((_, i) => (i < 3 ? 1 : 0));
    for (const chunk of [undefined, 7]) expect(Array.from(await encode(await session(chunk), [ids], [mask])).every(Number.isFinite)).toBe(true);
  });
});

describe('rotaryTables', () => {
  it('holds cos and signed sin of t·base^(−2k/d), repeated over both halves', () => {
    const { cos, sin } = rotaryTables(10_000, 4, 4);
    // d = 4: θ_0 = 1, θ_1 = 10000^(−1/2) = 0.01.
    const at = (t: number, i: number): [number, number] => [cos[t * 4 + i]!, sin[t * 4 + i]!];
    expect(at(0, 0)).toEqual([1, -0]);
    expect(at(3, 0)[0]).toBeCloseTo(Math.cos(3), 7);
    expect(at(3, 0)[1]).toBeCloseTo(-Math.sin(3), 7);
    expect(at(3, 2)[1]).toBeCloseTo(Math.sin(3), 7);
    expect(at(3, 1)[0]).toBeCloseTo(Math.cos(0.03), 7);
    expect(at(3, 3)[1]).toBeCloseTo(Math.sin(0.03), 7);
  });
});
