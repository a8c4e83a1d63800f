import { describe, expect, test } from 'vitest';
import { GraphBuilder } from './graph/graph-builder.js';
import { OnnxDataType, attr, encodeModel } from './graph/onnx-proto.js';
import { readOnnxSignature } from './onnx-signature.js';

describe('readOnnxSignature', () => {
  test('reads inputs and outputs with element types and fixed or symbolic dims, in order', () => {
    const g = new GraphBuilder('signature');
    const ids = g.input('input_ids', OnnxDataType.Int64, ['batch_size', 'sequence_length']);
    g.output(g.op('Cast', [ids], { to: attr.int(OnnxDataType.Float16) }), 'first', OnnxDataType.Float16, ['batch_size', 'sequence_length', 384]);
    g.output(g.op('Cast', [ids], { to: attr.int(OnnxDataType.Float) }), 'second', OnnxDataType.Float, [2]);
    expect(readOnnxSignature(g.build())).toEqual({
      inputs: [{ name: 'input_ids', elemType: OnnxDataType.Int64, dims: ['batch_size', 'sequence_length'] }],
      outputs: [
        { name: 'first', elemType: OnnxDataType.Float16, dims: ['batch_size', 'sequence_length', 384] },
        { name: 'second', elemType: OnnxDataType.Float, dims: [2] },
      ],
    });
  });

  test('leaves out initializers that older exports also list as graph inputs', () => {
    const bytes = encodeModel({
      irVersion: 3,
      opsets: [{ domain: '', version: 9 }],
      graph: {
        name: 'old',
        nodes: [{ opType: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
        initializers: [{ name: 'w', dataType: OnnxDataType.Float, dims: [1], data: Float32Array.of(1) }],
        inputs: [{ name: 'x', dataType: OnnxDataType.Float, dims: ['n'] }, { name: 'w', dataType: OnnxDataType.Float, dims: [1] }],
        outputs: [{ name: 'y', dataType: OnnxDataType.Float, dims: ['n'] }],
      },
    });
    expect(readOnnxSignature(bytes).inputs.map((i) => i.name)).toEqual(['x']);
  });

  test('rejects bytes that are not a model', () => {
    expect(() => readOnnxSignature(new TextEncoder().encode('<!doctype html><title>404</title>'))).toThrow(RangeError);
    expect(() => readOnnxSignature(new Uint8Array(0))).toThrow(/no graph/);
    const model = new GraphBuilder('cut').build();
    expect(() => readOnnxSignature(model.subarray(0, model.length - 3))).toThrow(RangeError);
  });
});
