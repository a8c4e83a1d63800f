/**
 * Reads the node list of an ONNX model (names, op types, edges) straight from its protobuf bytes, skipping the
 * weights, so the graph onnxruntime optimised can be related back to the one we built.
 */

import { protobufFields } from './onnx-reader.js';

/** One node of the model's main graph. */
export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface OnnxTopology {
  readonly nodes: readonly OnnxNode[];
  /** Initializer names: constants. */
  readonly initializers: ReadonlySet<string>;
  /** Graph input names (initializers excluded). */
  readonly inputs: ReadonlySet<string>;
}

// Field numbers from onnx.proto: ModelProto.graph, GraphProto.{node, initializer, input}, NodeProto.{input, output,
// name, op_type}, TensorProto.name, ValueInfoProto.name.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const TENSOR_NAME = 8;
const VALUE_INFO_NAME = 1;

/**
 * @example
 * const { nodes } = readOnnxTopology(buildEncoderGraph(checkpoint));
 * nodes.filter((n) => n.opType === 'Shape').map((n) => n.name);
 */
export function readOnnxTopology(model: Uint8Array): OnnxTopology {
  const nodes: OnnxNode[] = [];
  const initializers = new Set<string>();
  const inputs = new Set<string>();
  const decoder = new TextDecoder();
  const text = (bytes: Uint8Array): string => decoder.decode(bytes);
  for (const [field, graph] of protobufFields(model)) {
    if (field !== MODEL_GRAPH || !(graph instanceof Uint8Array)) continue;
    for (const [gField, value] of protobufFields(graph)) {
      if (!(value instanceof Uint8Array)) continue;
      if (gField === GRAPH_NODE) {
        const node = { name: '', opType: '', inputs: [] as string[], outputs: [] as string[] };
        for (const [nField, v] of protobufFields(value)) {
          if (!(v instanceof Uint8Array)) continue;
          if (nField === NODE_INPUT) node.inputs.push(text(v));
          else if (nField === NODE_OUTPUT) node.outputs.push(text(v));
          else if (nField === NODE_NAME) node.name = text(v);
          else if (nField === NODE_OP_TYPE) node.opType = text(v);
        }
        nodes.push(node);
      } else if (gField === GRAPH_INITIALIZER || gField === GRAPH_INPUT) {
        const nameField = gField === GRAPH_INITIALIZER ? TENSOR_NAME : VALUE_INFO_NAME;
        for (const [f, v] of protobufFields(value)) {
          if (f === nameField && v instanceof Uint8Array) (gField === GRAPH_INITIALIZER ? initializers : inputs).add(text(v));
        }
      }
    }
  }
  for (const name of initializers) inputs.delete(name);
  return { nodes, initializers, inputs };
}
