/**
 * linearNode with 4-bit weights: onnxruntime's MatMulNBits (onnxruntime-web's WASM kernels and onnxruntime-node's CPU
 * ones) computes x·Wᵀ + b with W the dequantised blocks, checked against a float64 product, for a fused pair of
 * Linears (a QKV-style stack) and for a single one without bias.
 */
import ortNode from 'onnxruntime-node';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { dequantizeQ4, quantizeQ4 } from '../q4-blocks.js';
import { GraphBuilder } from './graph-builder.js';
import type { GraphLinear } from './linear-node.js';
import { linearNode } from './linear-node.js';
import { OnnxDataType } from './onnx-proto.js';

ort.env.wasm.numThreads = 1;

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.5);
}

function q4Linear(inFeatures: number, outFeatures: number, seed: number, bias: boolean): GraphLinear {
  const q4 = quantizeQ4(values(inFeatures * outFeatures, seed), outFeatures, inFeatures);
  return {
    inFeatures,
    outFeatures,
    q4,
    get weight(): Float32Array {
      throw new Error('a 4-bit Linear must not be widened for the graph');
    },
    bias: bias ? values(outFeatures, seed + 1) : undefined,
  };
}

/** Float64 oracle: x·Wᵀ + b with every part's dequantised weight, parts side by side. */
function reference(x: Float32Array, rows: number, parts: readonly GraphLinear[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (const part of parts) {
      const w = dequantizeQ4(part.q4!);
      for (let o = 0; o < part.outFeatures; o++) {
        let s = part.bias?.[o] ?? 0;
        for (let i = 0; i < part.inFeatures; i++) s += x[r * part.inFeatures + i]! * w[o * part.inFeatures + i]!;
        out.push(s);
      }
    }
  }
  return out;
}

function model(inFeatures: number, parts: readonly GraphLinear[]): { bytes: Uint8Array; outFeatures: number } {
  const g = new GraphBuilder('q4-linear');
  const x = g.input('x', OnnxDataType.Float, ['rows', inFeatures]);
  const outFeatures = parts.reduce((n, p) => n + p.outFeatures, 0);
  g.output(linearNode(g, x, parts, 'linear'), 'y', OnnxDataType.Float, ['rows', outFeatures]);
  return { bytes: g.build(), outFeatures };
}

const CASES = [
  { name: 'a fused pair with biases (K 128)', inFeatures: 128, parts: () => [q4Linear(128, 48, 1, true), q4Linear(128, 80, 2, true)] },
  { name: 'one Linear without bias (K 96, an odd number of blocks)', inFeatures: 96, parts: () => [q4Linear(96, 40, 3, false)] },
];
const ROWS = 7;

describe('linearNode: MatMulNBits', () => {
  for (const { name, inFeatures, parts: make } of CASES) {
    it(`${name}: onnxruntime-web (WASM) and onnxruntime-node match the float64 product`, async () => {
      const parts = make();
      const { bytes, outFeatures } = model(inFeatures, parts);
      const x = values(ROWS * inFeatures, 9);
      const expected = reference(x, ROWS, parts);
      const web = await ort.InferenceSession.create(bytes);
      const native = await ortNode.InferenceSession.create(bytes);
      try {
        const fromWeb = (await web.run({ x: new ort.Tensor('float32', x, [ROWS, inFeatures]) }))['y']!;
        const fromNative = (await native.run({ x: new ortNode.Tensor('float32', x, [ROWS, inFeatures]) }))['y']!;
        for (const y of [fromWeb, fromNative]) {
          expect(y.dims).toEqual([ROWS, outFeatures]);
          let worst = 0;
          (y.data as Float32Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!))));
          expect(worst).toBeLessThan(1e-4);
        }
      } finally {
        await web.release();
        await native.release();
      }
    });
  }
});
