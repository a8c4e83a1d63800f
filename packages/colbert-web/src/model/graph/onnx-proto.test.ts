import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './graph-builder.js';
import { OnnxDataType, attr, encodeModel } from './onnx-proto.js';

ort.env.wasm.numThreads = 1;

describe('onnx-proto', () => {
  it('encodes MatMul + Add with a symbolic batch dim that ORT runs', async () => {
    // y = x·W + b with W = [[1, 2, 3], [4, 5, 6]] and b = [0.5, -1, 2].
    const bytes = encodeModel({
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }],
      graph: {
        name: 'tiny',
        nodes: [
          { opType: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
          { opType: 'Add', inputs: ['xw', 'b'], outputs: ['y'] },
        ],
        initializers: [
          { name: 'W', dataType: OnnxDataType.Float, dims: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
          { name: 'b', dataType: OnnxDataType.Float, dims: [3], data: new Float32Array([0.5, -1, 2]) },
        ],
        inputs: [{ name: 'x', dataType: OnnxDataType.Float, dims: ['batch', 2] }],
        outputs: [{ name: 'y', dataType: OnnxDataType.Float, dims: ['batch', 3] }],
      },
    });
    const session = await ort.InferenceSession.create(bytes);
    try {
      expect(session.inputNames).toEqual(['x']);
      expect(session.outputNames).toEqual(['y']);
      const x = new ort.Tensor('float32', new Float32Array([1, 0, 2, -1]), [2, 2]);
      const { y } = await session.run({ x });
      expect(y!.dims).toEqual([2, 3]);
      // [1, 0]·W + b = [1.5, 1, 5]; [2, -1]·W + b = [-1.5, -2, 2].
      expect(Array.from(y!.data as Float32Array)).toEqual([1.5, 1, 5, -1.5, -2, 2]);
    } finally {
      await session.release();
    }
  });

  it('encodes negative int attributes, ints, float and tensor attributes, int64 initializers', async () => {
    const g = new GraphBuilder('attrs');
    const x = g.input('x', OnnxDataType.Float, ['n', 4]);
    // Reshape through an int64 initializer with a -1 entry, then Softmax over axis -1.
    const reshaped = g.op('Reshape', [x, g.int64([2, -1])]);
    const soft = g.op('Softmax', [reshaped], { axis: attr.int(-1) });
    const transposed = g.op('Transpose', [soft], { perm: attr.ints([1, 0]) });
    const scaled = g.op('LeakyRelu', [g.op('Neg', [transposed])], { alpha: attr.float(0.25) });
    const bias = g.op('Constant', [], { value: attr.tensor({ name: 'c', dataType: OnnxDataType.Float, dims: [1], data: new Float32Array([10]) }) });
    g.output(g.op('Add', [scaled, bias]), 'y', OnnxDataType.Float, [4, 2]);
    const session = await ort.InferenceSession.create(g.build());
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array([0, 0, 0, 0, 0, 0, 0, 0]), [2, 4]) });
      expect(y!.dims).toEqual([4, 2]);
      // Softmax of zeros is 1/4 everywhere; -1/4 through LeakyRelu(0.25) is -1/16; plus 10.
      for (const v of y!.data as Float32Array) expect(v).toBeCloseTo(10 - 1 / 16, 6);
    } finally {
      await session.release();
    }
  });

  it('encodes float16, int8 and uint8 initializers (inferred from Uint16Array, Int8Array, Uint8Array)', async () => {
    const g = new GraphBuilder('small-types');
    const x = g.input('x', OnnxDataType.Float, [3]);
    // float16 bits of 1, -2, 0.5; int8 [-127, 0, 127] at scale 0.5; uint8 [0, 10, 255] with zero point 10 at scale 2.
    const half = g.op('Cast', [g.addInitializer('h', Uint16Array.of(0x3c00, 0xc000, 0x3800), [3])], { to: attr.int(OnnxDataType.Float) });
    const signed = g.op('DequantizeLinear', [g.addInitializer('s', Int8Array.of(-127, 0, 127), [3]), g.float32([0.5], []), g.addInitializer('sz', Int8Array.of(0), [])]);
    const unsigned = g.op('DequantizeLinear', [g.addInitializer('u', Uint8Array.of(0, 10, 255), [3]), g.float32([2], []), g.addInitializer('uz', Uint8Array.of(10), [])]);
    g.output(g.op('Add', [g.op('Add', [g.op('Mul', [x, half]), signed]), unsigned]), 'y', OnnxDataType.Float, [3]);
    const session = await ort.InferenceSession.create(g.build());
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 1, 1), [3]) });
      expect(Array.from(y!.data as Float32Array)).toEqual([1 - 63.5 - 20, -2 + 0 + 0, 0.5 + 63.5 + 490]);
    } finally {
      await session.release();
    }
  });

  it('stores each initializer once, byte for byte', () => {
    const weight = new Float32Array(1000).map((_, i) => i * 0.5);
    const g = new GraphBuilder('size');
    const x = g.input('x', OnnxDataType.Float, [1, 1000]);
    g.output(g.op('Mul', [x, g.addInitializer('w', weight, [1000])]), 'y', OnnxDataType.Float, [1, 1000]);
    const bytes = g.build();
    expect(bytes.length).toBeGreaterThan(4000);
    expect(bytes.length).toBeLessThan(4200);
    const raw = new Uint8Array(weight.buffer);
    const at = Buffer.from(bytes).indexOf(Buffer.from(raw));
    expect(at).toBeGreaterThan(0);
  });
});
