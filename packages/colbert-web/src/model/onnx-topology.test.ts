import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './graph/graph-builder.js';
import { OnnxDataType, attr } from './graph/onnx-proto.js';
import { readOnnxTopology } from './onnx-topology.js';

describe('readOnnxTopology', () => {
  it('reads node names, op types and edges, initializers and inputs, skipping the weights', () => {
    const g = new GraphBuilder('topology');
    const x = g.input('x', OnnxDataType.Float, ['n', 4]);
    const shape = g.op('Shape', [x], {}, { name: 'x_shape' });
    const w = g.addInitializer('w', new Float32Array(4 * 1000), [4, 1000]);
    const [a, b] = g.addNode('Split', [g.op('MatMul', [x, w]), g.int64([500, 500])], { axis: attr.int(1) }, { outputs: 2 });
    g.output(g.op('Reshape', [g.op('Add', [a!, b!]), shape]), 'y', OnnxDataType.Float, ['n', 500]);
    const topology = readOnnxTopology(g.build());
    expect(topology.nodes.map((n) => `${n.opType} ${n.name}`)).toEqual(['Shape x_shape_node', 'MatMul matmul_node', 'Split split_out0_node', 'Add add_node', 'Reshape reshape_node', 'Identity y_identity']);
    expect(topology.nodes[2]).toEqual({ name: 'split_out0_node', opType: 'Split', inputs: ['matmul', 'const'], outputs: ['split_out0', 'split_out1'] });
    expect(topology.nodes[4]!.inputs).toEqual(['add', 'x_shape']);
    expect([...topology.initializers].sort()).toEqual(['const', 'w']);
    expect([...topology.inputs]).toEqual(['x']);
  });

  it('rejects truncated bytes', () => {
    const g = new GraphBuilder('t');
    g.output(g.op('Identity', [g.input('x', OnnxDataType.Float, [1])]), 'y', OnnxDataType.Float, [1]);
    const bytes = g.build();
    expect(() => readOnnxTopology(bytes.subarray(0, bytes.length - 3))).toThrow(RangeError);
  });
});
