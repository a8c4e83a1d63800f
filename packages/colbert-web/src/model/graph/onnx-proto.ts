/**
 * A minimal writer for the ONNX protobuf format (onnx.proto3): just the messages an inference graph
 * needs — ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto and TensorProto.
 *
 * The model is encoded in two passes: every message first learns its byte length (nested messages
 * are length-prefixed), then everything is written into one Uint8Array of the final size. Tensor
 * payloads are copied exactly once, straight from the caller's typed arrays into that buffer, so a
 * 130 MB checkpoint costs 130 MB of output and nothing more.
 */

/** ONNX `TensorProto.DataType` values this writer emits. */
export const OnnxDataType = {
  Float: 1,
  Uint8: 2,
  Int8: 3,
  Int32: 6,
  Int64: 7,
  /** IEEE half precision; its data is the raw bits, one Uint16Array element per value. */
  Float16: 10,
} as const;

export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** The typed arrays tensor data comes in: Uint16Array holds float16 bits. */
export type TensorArray = Float32Array | Int32Array | BigInt64Array | Uint16Array | Int8Array | Uint8Array;

/** Element data of a tensor; an array of parts is written back to back (e.g. fused Q/K/V weights). */
export type TensorData = TensorArray | readonly TensorArray[];

/** A constant tensor (graph initializer or `tensor` attribute). Stored as little-endian `raw_data`. */
export interface TensorSpec {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** A node attribute, tagged with its ONNX `AttributeType` so ints and floats are never confused. */
export type AttributeSpec =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: TensorSpec };

/** Attribute constructors: `{ axis: attr.int(-1) }`. */
export const attr = {
  int: (value: number): AttributeSpec => ({ type: 'int', value }),
  float: (value: number): AttributeSpec => ({ type: 'float', value }),
  ints: (value: readonly number[]): AttributeSpec => ({ type: 'ints', value }),
  floats: (value: readonly number[]): AttributeSpec => ({ type: 'floats', value }),
  string: (value: string): AttributeSpec => ({ type: 'string', value }),
  tensor: (value: TensorSpec): AttributeSpec => ({ type: 'tensor', value }),
} as const;

export interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** Operator set domain; omit (or '') for the default ONNX domain, 'com.microsoft' for contrib ops. */
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeSpec>>;
}

/** A graph input or output: a tensor type whose dims are fixed sizes or symbolic names ("batch"). */
export interface ValueInfoSpec {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly (number | string)[];
}

export interface GraphSpec {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly TensorSpec[];
  readonly inputs: readonly ValueInfoSpec[];
  readonly outputs: readonly ValueInfoSpec[];
}

export interface OpsetSpec {
  /** '' is the default ONNX domain. */
  readonly domain: string;
  readonly version: number;
}

export interface ModelSpec {
  /** ONNX IR version; 8 goes with opsets up to 18, 9 up to 20. */
  readonly irVersion: number;
  readonly opsets: readonly OpsetSpec[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly graph: GraphSpec;
}

/**
 * Serialises a model to ONNX protobuf bytes, ready for `InferenceSession.create(bytes)`.
 *
 * @example
 * const bytes = encodeModel({
 *   irVersion: 8,
 *   opsets: [{ domain: '', version: 17 }],
 *   graph: {
 *     name: 'relu',
 *     nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
 *     initializers: [],
 *     inputs: [{ name: 'x', dataType: OnnxDataType.Float, dims: ['n'] }],
 *     outputs: [{ name: 'y', dataType: OnnxDataType.Float, dims: ['n'] }],
 *   },
 * });
 */
export function encodeModel(model: ModelSpec): Uint8Array {
  const message = modelMessage(model);
  const out = new Uint8Array(message.byteLength());
  const end = message.writeTo(out, 0);
  if (end !== out.length) throw new Error(`onnx-proto: wrote ${end} bytes, expected ${out.length}`);
  return out;
}

// Field numbers from onnx/onnx.proto3. Wire types: 0 varint, 2 length-delimited, 5 fixed32.
const F = {
  model: { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8 },
  opset: { domain: 1, version: 2 },
  graph: { node: 1, name: 2, initializer: 5, input: 11, output: 12 },
  node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 },
  attribute: { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 },
  tensor: { dims: 1, dataType: 2, name: 8, rawData: 9 },
  valueInfo: { name: 1, type: 2 },
  typeProto: { tensorType: 1 },
  typeTensor: { elemType: 1, shape: 2 },
  shape: { dim: 1 },
  dimension: { dimValue: 1, dimParam: 2 },
} as const;

/** `AttributeProto.AttributeType` enum values. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function modelMessage(model: ModelSpec): ProtoMessage {
  const m = new ProtoMessage();
  m.varint(F.model.irVersion, model.irVersion);
  if (model.producerName !== undefined) m.string(F.model.producerName, model.producerName);
  if (model.producerVersion !== undefined) m.string(F.model.producerVersion, model.producerVersion);
  m.message(F.model.graph, graphMessage(model.graph));
  for (const opset of model.opsets) {
    const o = new ProtoMessage();
    o.string(F.opset.domain, opset.domain);
    o.varint(F.opset.version, opset.version);
    m.message(F.model.opsetImport, o);
  }
  return m;
}

function graphMessage(graph: GraphSpec): ProtoMessage {
  const m = new ProtoMessage();
  for (const node of graph.nodes) m.message(F.graph.node, nodeMessage(node));
  m.string(F.graph.name, graph.name);
  for (const tensor of graph.initializers) m.message(F.graph.initializer, tensorMessage(tensor));
  for (const input of graph.inputs) m.message(F.graph.input, valueInfoMessage(input));
  for (const output of graph.outputs) m.message(F.graph.output, valueInfoMessage(output));
  return m;
}

function nodeMessage(node: NodeSpec): ProtoMessage {
  const m = new ProtoMessage();
  for (const input of node.inputs) m.string(F.node.input, input);
  for (const output of node.outputs) m.string(F.node.output, output);
  if (node.name !== undefined) m.string(F.node.name, node.name);
  m.string(F.node.opType, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) m.message(F.node.attribute, attributeMessage(name, value));
  if (node.domain) m.string(F.node.domain, node.domain);
  return m;
}

function attributeMessage(name: string, a: AttributeSpec): ProtoMessage {
  const m = new ProtoMessage();
  m.string(F.attribute.name, name);
  m.varint(F.attribute.type, ATTRIBUTE_TYPE[a.type]);
  switch (a.type) {
    case 'int':
      m.varint(F.attribute.i, a.value);
      break;
    case 'float':
      m.float(F.attribute.f, a.value);
      break;
    case 'ints':
      m.packedVarints(F.attribute.ints, a.value);
      break;
    case 'floats':
      m.bytes(F.attribute.floats, floatBytes(a.value));
      break;
    case 'string':
      m.string(F.attribute.s, a.value);
      break;
    case 'tensor':
      m.message(F.attribute.t, tensorMessage(a.value));
      break;
  }
  return m;
}

/** The typed array each data type's elements are stored in. */
const ARRAY_TYPES = {
  [OnnxDataType.Float]: Float32Array,
  [OnnxDataType.Uint8]: Uint8Array,
  [OnnxDataType.Int8]: Int8Array,
  [OnnxDataType.Int32]: Int32Array,
  [OnnxDataType.Int64]: BigInt64Array,
  [OnnxDataType.Float16]: Uint16Array,
} as const;

function tensorMessage(tensor: TensorSpec): ProtoMessage {
  const parts = Array.isArray(tensor.data) ? (tensor.data as readonly ArrayBufferView[]) : [tensor.data as ArrayBufferView];
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  const bytes = parts.reduce((sum, p) => sum + p.byteLength, 0);
  const arrayType = ARRAY_TYPES[tensor.dataType];
  const elementSize = arrayType.BYTES_PER_ELEMENT;
  if (!parts.every((p) => p instanceof arrayType)) throw new Error(`onnx-proto: tensor ${tensor.name} data is not a ${arrayType.name}`);
  if (bytes !== count * elementSize) {
    throw new Error(`onnx-proto: tensor ${tensor.name} has ${bytes} bytes but dims [${tensor.dims.join(', ')}] need ${count * elementSize}`);
  }
  const m = new ProtoMessage();
  m.packedVarints(F.tensor.dims, tensor.dims);
  m.varint(F.tensor.dataType, tensor.dataType);
  m.string(F.tensor.name, tensor.name);
  m.rawBytes(F.tensor.rawData, parts, elementSize);
  return m;
}

function valueInfoMessage(info: ValueInfoSpec): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of info.dims) {
    const dim = new ProtoMessage();
    if (typeof d === 'string') dim.string(F.dimension.dimParam, d);
    else dim.varint(F.dimension.dimValue, d);
    shape.message(F.shape.dim, dim);
  }
  const tensorType = new ProtoMessage();
  tensorType.varint(F.typeTensor.elemType, info.dataType);
  tensorType.message(F.typeTensor.shape, shape);
  const type = new ProtoMessage();
  type.message(F.typeProto.tensorType, tensorType);
  const m = new ProtoMessage();
  m.string(F.valueInfo.name, info.name);
  m.message(F.valueInfo.type, type);
  return m;
}

/** Whether typed arrays on this host are little-endian (protobuf `raw_data` always is). */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const textEncoder = new TextEncoder();

/**
 * One protobuf message under construction. Small fields are encoded eagerly into byte chunks;
 * nested messages and large payloads are kept by reference and only copied by `writeTo`.
 */
class ProtoMessage {
  private readonly parts: (Uint8Array | ProtoMessage | RawPayload)[] = [];
  private length = -1;

  varint(field: number, value: number): void {
    this.parts.push(concatBytes([tag(field, 0), varintBytes(value)]));
  }

  float(field: number, value: number): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.parts.push(concatBytes([tag(field, 5), bytes]));
  }

  string(field: number, value: string): void {
    this.bytes(field, textEncoder.encode(value));
  }

  bytes(field: number, value: Uint8Array): void {
    this.parts.push(concatBytes([tag(field, 2), varintBytes(value.length), value]));
  }

  /** A packed `repeated int64` (proto3's default encoding for repeated scalars). */
  packedVarints(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    this.bytes(field, concatBytes(values.map(varintBytes)));
  }

  message(field: number, message: ProtoMessage): void {
    this.parts.push(message.prefixed(field));
  }

  /** A `bytes` field whose content is the typed arrays' elements, written little-endian at the end. */
  rawBytes(field: number, arrays: readonly ArrayBufferView[], elementSize: number): void {
    const byteLength = arrays.reduce((sum, a) => sum + a.byteLength, 0);
    this.parts.push(concatBytes([tag(field, 2), varintBytes(byteLength)]));
    this.parts.push({ arrays, byteLength, elementSize });
  }

  byteLength(): number {
    if (this.length < 0) {
      this.length = 0;
      for (const part of this.parts) this.length += part instanceof ProtoMessage ? part.byteLength() : part.byteLength;
    }
    return this.length;
  }

  writeTo(out: Uint8Array, offset: number): number {
    let at = offset;
    for (const part of this.parts) {
      if (part instanceof Uint8Array) {
        out.set(part, at);
        at += part.length;
      } else if (part instanceof ProtoMessage) {
        at = part.writeTo(out, at);
      } else {
        for (const array of part.arrays) {
          const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
          out.set(bytes, at);
          if (!HOST_IS_LITTLE_ENDIAN) reverseElements(out, at, array.byteLength, part.elementSize);
          at += array.byteLength;
        }
      }
    }
    return at;
  }

  /** This message as a length-delimited field of its parent: tag, length, then the content. */
  private prefixed(field: number): ProtoMessage {
    const wrapper = new ProtoMessage();
    wrapper.parts.push(concatBytes([tag(field, 2), varintBytes(this.byteLength())]), this);
    return wrapper;
  }
}

interface RawPayload {
  readonly arrays: readonly ArrayBufferView[];
  readonly byteLength: number;
  readonly elementSize: number;
}

function tag(field: number, wireType: number): Uint8Array {
  return varintBytes(field * 8 + wireType);
}

/**
 * Base-128 varint of an int64. Negative values (e.g. `axis = -1`) use the 10-byte two's-complement
 * form protobuf prescribes for int64.
 */
function varintBytes(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new Error(`onnx-proto: ${value} is not a safe integer`);
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}

function floatBytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return bytes;
}

function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Byte-swaps each element in place; only big-endian hosts need it. */
function reverseElements(out: Uint8Array, offset: number, byteLength: number, elementSize: number): void {
  for (let e = offset; e < offset + byteLength; e += elementSize) out.subarray(e, e + elementSize).reverse();
}
