/**
 * Reads an ONNX model's graph inputs and outputs (names, element types, shapes) straight from its protobuf
 * bytes, without decoding nodes or weights: enough to check a published export against the checkpoint before
 * onnxruntime loads it.
 */

import { protobufFields } from './onnx-reader.js';

/** One graph input or output. */
export interface OnnxValueInfo {
  readonly name: string;
  /** ONNX `TensorProto.DataType` (1 float, 7 int64, 10 float16, …); undefined when the graph does not say. */
  readonly elemType: number | undefined;
  /** Fixed sizes as numbers, symbolic ones as their name ('' when unnamed); undefined when the rank is unknown. */
  readonly dims: readonly (number | string)[] | undefined;
}

export interface OnnxSignature {
  /** Graph inputs the caller feeds (initializers that older exports also list as inputs are left out). */
  readonly inputs: readonly OnnxValueInfo[];
  /** Graph outputs, in order. */
  readonly outputs: readonly OnnxValueInfo[];
}

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH = { initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;
const TENSOR_NAME = 8;
const SPARSE_VALUES = 1;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE_TENSOR = 1;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE_DIM = 1;
const DIM = { value: 1, param: 2 } as const;

/**
 * Throws RangeError when the bytes are not a protobuf ModelProto with a graph.
 *
 * @example
 * const { inputs, outputs } = readOnnxSignature(bytes);
 * outputs[0]; // { name: 'last_hidden_state', elemType: 1, dims: ['batch_size', 'sequence_length', 384] }
 */
export function readOnnxSignature(model: Uint8Array): OnnxSignature {
  let graph: Uint8Array | undefined;
  for (const [field, value] of protobufFields(model)) if (field === MODEL_GRAPH && value instanceof Uint8Array) graph = value;
  if (graph === undefined) throw new RangeError('no graph in the model');
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const initializers = new Set<string>();
  for (const [field, value] of protobufFields(graph)) {
    if (!(value instanceof Uint8Array)) continue;
    if (field === GRAPH.input) inputs.push(valueInfo(value));
    else if (field === GRAPH.output) outputs.push(valueInfo(value));
    else if (field === GRAPH.initializer) initializers.add(tensorName(value));
    else if (field === GRAPH.sparseInitializer) {
      for (const [f, v] of protobufFields(value)) if (f === SPARSE_VALUES && v instanceof Uint8Array) initializers.add(tensorName(v));
    }
  }
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
}

const decoder = new TextDecoder();

function tensorName(tensor: Uint8Array): string {
  for (const [f, v] of protobufFields(tensor)) if (f === TENSOR_NAME && v instanceof Uint8Array) return decoder.decode(v);
  return '';
}

function valueInfo(bytes: Uint8Array): OnnxValueInfo {
  let name = '';
  let elemType: number | undefined;
  let dims: (number | string)[] | undefined;
  for (const [f, v] of protobufFields(bytes)) {
    if (!(v instanceof Uint8Array)) continue;
    if (f === VALUE_INFO.name) name = decoder.decode(v);
    if (f !== VALUE_INFO.type) continue;
    for (const [t, tensorType] of protobufFields(v)) {
      if (t !== TYPE_TENSOR || !(tensorType instanceof Uint8Array)) continue;
      for (const [k, x] of protobufFields(tensorType)) {
        if (k === TENSOR_TYPE.elemType && typeof x === 'number') elemType = x;
        if (k === TENSOR_TYPE.shape && x instanceof Uint8Array) {
          dims = [];
          for (const [d, dim] of protobufFields(x)) if (d === SHAPE_DIM && dim instanceof Uint8Array) dims.push(dimension(dim));
        }
      }
    }
  }
  return { name, elemType, dims };
}

/** A fixed size, or the symbolic name ('' for an unnamed or out-of-range dimension). */
function dimension(bytes: Uint8Array): number | string {
  let dim: number | string = '';
  for (const [f, v] of protobufFields(bytes)) {
    // Negative or huge int64 values are not sizes: leave them symbolic.
    if (f === DIM.value && typeof v === 'number' && Number.isSafeInteger(v)) dim = v;
    if (f === DIM.param && v instanceof Uint8Array) dim = decoder.decode(v);
  }
  return dim;
}
