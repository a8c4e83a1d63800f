/**
 * linearNode with 4-bit weights: onnxruntime's MatMulNBits (onnxruntime-web's WASM kernels and onnxruntime-node's CPU
 * ones) computes x·Wᵀ + b with W the dequantised blocks, checked against a float64 product, for a fused pair of
 * Linears (a QKV-style stack) and for a single one without bias; and with int8 rows, DynamicQuantizeLinear +
 * MatMulInteger within the error bound its activation quantisation allows.
 */
import ortNode from 'onnxruntime-node';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { dequantizeInt8Rows, quantizeInt8Rows } from '../int8-rows.js';
import { readOnnxTopology } from '../onnx-topology.js';
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
function reference(x: Float32Array, rows: number, parts: readonly GraphLinear[], weightOf = (part: GraphLinear): Float32Array => dequantizeQ4(part.q4!)): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (const part of parts) {
      const w = weightOf(part);
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

/**
 * A Linear stored as int8 rows, its float32 view the dequantised rows (what the float32 Gemm multiplies by). Rows
 * get magnitudes from 0.2 to 2, so their scales differ (a scale applied to the wrong column shows).
 */
function int8Linear(inFeatures: number, outFeatures: number, seed: number, bias: boolean): GraphLinear {
  const weight = values(inFeatures * outFeatures, seed).map((w, i) => w * (0.2 + (Math.floor(i / inFeatures) % 7) * 0.3));
  const int8 = quantizeInt8Rows(weight, outFeatures, inFeatures);
  return { inFeatures, outFeatures, int8, weight: dequantizeInt8Rows(int8), bias: bias ? values(outFeatures, seed + 1) : undefined };
}

/**
 * The bound on |int8 compute − x·Wᵀ − b| from the activations alone: DynamicQuantizeLinear moves each x by at most
 * half its step (range over [min(x, 0), max(x, 0)] / 255), and the int8 products are exact in int32, so output o
 * moves by at most ½·step·Σ|W[o, ·]| (plus float32 rounding).
 */
function int8Bound(x: Float32Array, parts: readonly GraphLinear[]): number[] {
  const step = (Math.max(0, ...x) - Math.min(0, ...x)) / 255;
  return parts.flatMap((part) => Array.from({ length: part.outFeatures }, (_, o) => 0.5 * step * part.weight.subarray(o * part.inFeatures, (o + 1) * part.inFeatures).reduce((s, w) => s + Math.abs(w), 0) + 1e-5));
}

describe('linearNode: int8 rows as DynamicQuantizeLinear + MatMulInteger', () => {
  const INT8_CASES = [
    { name: 'a fused triple with biases (K 64)', inFeatures: 64, parts: () => [int8Linear(64, 32, 4, true), int8Linear(64, 32, 5, true), int8Linear(64, 48, 6, true)] },
    { name: 'one Linear without bias (K 40)', inFeatures: 40, parts: () => [int8Linear(40, 24, 7, false)] },
  ];
  for (const { name, inFeatures, parts: make } of INT8_CASES) {
    it(`${name}: onnxruntime-web (WASM) and onnxruntime-node stay within the activation-quantisation bound of the float64 product`, async () => {
      const parts = make();
      const g = new GraphBuilder('int8-linear');
      const input = g.input('x', OnnxDataType.Float, ['rows', inFeatures]);
      const outFeatures = parts.reduce((n, p) => n + p.outFeatures, 0);
      g.output(linearNode(g, input, parts, 'linear', { int8Compute: true }), 'y', OnnxDataType.Float, ['rows', outFeatures]);
      const bytes = g.build();
      const ops = readOnnxTopology(bytes).nodes.map((n) => n.opType);
      expect(ops).toContain('MatMulInteger');
      expect(ops).not.toContain('Gemm');
      const x = values(ROWS * inFeatures, 11);
      const expected = reference(x, ROWS, parts, (p) => p.weight);
      const bound = int8Bound(x, parts);
      const web = await ort.InferenceSession.create(bytes);
      const native = await ortNode.InferenceSession.create(bytes);
      try {
        const fromWeb = (await web.run({ x: new ort.Tensor('float32', x, [ROWS, inFeatures]) }))['y']!;
        const fromNative = (await native.run({ x: new ortNode.Tensor('float32', x, [ROWS, inFeatures]) }))['y']!;
        for (const y of [fromWeb, fromNative]) {
          expect(y.dims).toEqual([ROWS, outFeatures]);
          const data = y.data as Float32Array;
          let over = 0;
          let worst = 0;
          data.forEach((v, i) => {
            const d = Math.abs(v - expected[i]!);
            worst = Math.max(worst, d);
            if (d > bound[i % outFeatures]!) over++;
          });
          expect(over).toBe(0);
          expect(worst).toBeGreaterThan(0); // activations really were quantised
        }
      } finally {
        await web.release();
        await native.release();
      }
    });
  }

  it('without int8Compute (WebGPU) the same Linears are one float32 Gemm of the dequantised rows', () => {
    const g = new GraphBuilder('int8-as-float');
    const input = g.input('x', OnnxDataType.Float, ['rows', 40]);
    g.output(linearNode(g, input, [int8Linear(40, 24, 7, true)], 'linear'), 'y', OnnxDataType.Float, ['rows', 24]);
    expect(readOnnxTopology(g.build()).nodes.map((n) => n.opType)).toEqual(['Gemm', 'Identity']);
  });
});
