import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { DenseActivation, DenseLayer } from '../dense.js';
import { denseGraph } from './dense-graph.js';
import { GraphBuilder } from './graph-builder.js';
import { OnnxDataType } from './onnx-proto.js';

ort.env.wasm.numThreads = 1;

const B = 2;
const L = 3;

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.9);
}

function layer(path: string, inFeatures: number, outFeatures: number, activation: DenseActivation, bias: boolean): DenseLayer {
  return { path, inFeatures, outFeatures, activation, weight: values(outFeatures * inFeatures, inFeatures + outFeatures), bias: bias ? values(outFeatures, 7) : undefined };
}

/** Float64 oracle: Dense stack in order, then y / √(Σ y²) per row. */
function reference(x: Float32Array, width: number, layers: readonly DenseLayer[]): number[] {
  const erf = (z: number): number => {
    // Maclaurin series: exact to double precision for the small |z| of this test.
    let sum = 0;
    let term = z;
    for (let n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= (-z * z) / (n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };
  const act: Record<DenseActivation, (v: number) => number> = {
    identity: (v) => v,
    tanh: Math.tanh,
    relu: (v) => Math.max(0, v),
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
  };
  const out: number[] = [];
  for (let r = 0; r < x.length / width; r++) {
    let row = Array.from(x.subarray(r * width, (r + 1) * width), Number);
    for (const l of layers) {
      row = Array.from({ length: l.outFeatures }, (_, o) => {
        let s = l.bias?.[o] ?? 0;
        for (let i = 0; i < l.inFeatures; i++) s += row[i]! * l.weight[o * l.inFeatures + i]!;
        return act[l.activation](s);
      });
    }
    const n = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
    out.push(...row.map((v) => v / n));
  }
  return out;
}

async function run(width: number, layers: readonly DenseLayer[]): Promise<{ dims: readonly number[]; data: Float32Array; x: Float32Array }> {
  const g = new GraphBuilder('dense');
  const hidden = g.input('hidden', OnnxDataType.Float, ['batch', 'sequence', width]);
  const dim = layers.at(-1)?.outFeatures ?? width;
  g.output(denseGraph(g, layers, hidden), 'y', OnnxDataType.Float, ['batch', 'sequence', dim]);
  const session = await ort.InferenceSession.create(g.build());
  try {
    const x = values(B * L * width, 3);
    const { y } = await session.run({ hidden: new ort.Tensor('float32', x, [B, L, width]) });
    return { dims: y!.dims, data: y!.data as Float32Array, x };
  } finally {
    await session.release();
  }
}

describe('denseGraph', () => {
  it('applies stacked Dense modules (bias, tanh, erf GELU, relu, sigmoid) in order, then L2-normalises', async () => {
    const layers = [layer('1_Dense', 8, 6, 'tanh', true), layer('2_Dense', 6, 5, 'gelu', true), layer('3_Dense', 5, 5, 'relu', false), layer('4_Dense', 5, 4, 'sigmoid', true)];
    const { dims, data, x } = await run(8, layers);
    expect(dims).toEqual([B, L, 4]);
    const expected = reference(x, 8, layers);
    data.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6));
  });

  it('only normalises when the checkpoint has no Dense module', async () => {
    const { dims, data, x } = await run(5, []);
    expect(dims).toEqual([B, L, 5]);
    const expected = reference(x, 5, []);
    data.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6));
  });
});
