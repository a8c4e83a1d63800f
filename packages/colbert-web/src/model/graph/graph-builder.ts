import type { AttributeSpec, ModelSpec, NodeSpec, OnnxDataType, OpsetSpec, TensorData, TensorSpec, ValueInfoSpec } from './onnx-proto.js';
import { OnnxDataType as DataType, encodeModel } from './onnx-proto.js';

/** The ONNX opset the graphs are written against: LayerNormalization needs 17, and ORT-web 1.30 runs it fully. */
export const DEFAULT_OPSET = 17;
/** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
export const DEFAULT_IR_VERSION = 8;

export interface AddNodeOptions {
  /** How many outputs the node has (default 1). */
  readonly outputs?: number;
  /** Base for the output names; defaults to the lower-cased op type. */
  readonly name?: string;
  /** 'com.microsoft' for onnxruntime contrib ops; the opset is imported on first use. */
  readonly domain?: string;
}

/**
 * Collects nodes, initializers and graph inputs/outputs with unique names, then encodes the model.
 * Backbone and head builders only ever deal in tensor names returned by this class.
 *
 * @example
 * const g = new GraphBuilder('linear');
 * const x = g.input('x', OnnxDataType.Float, ['batch', 2]);
 * const w = g.addInitializer('w', new Float32Array([1, 2, 3, 4]), [2, 2]);
 * const [y] = g.addNode('MatMul', [x, w]);
 * g.output(y!, 'y', OnnxDataType.Float, ['batch', 2]);
 * const bytes = g.build();
 */
export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: TensorSpec[] = [];
  private readonly inputs: ValueInfoSpec[] = [];
  private readonly outputs: ValueInfoSpec[] = [];
  private readonly usedNames = new Set<string>();
  private readonly constants = new Map<string, string>();
  private readonly opsets = new Map<string, number>();

  constructor(
    readonly graphName: string,
    opset = DEFAULT_OPSET,
    private readonly irVersion = DEFAULT_IR_VERSION,
  ) {
    this.opsets.set('', opset);
  }

  /** Returns `hint` if no tensor has that name yet, else `hint_1`, `hint_2`, … */
  uniqueName(hint: string): string {
    let name = hint;
    for (let i = 1; this.usedNames.has(name); i++) name = `${hint}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  /** Declares a graph input under exactly `name` (callers feed it by that name). */
  input(name: string, dataType: OnnxDataType, dims: readonly (number | string)[]): string {
    if (this.usedNames.has(name)) throw new Error(`GraphBuilder: input name ${name} is already taken`);
    this.usedNames.add(name);
    this.inputs.push({ name, dataType, dims });
    return name;
  }

  /** Exposes tensor `value` as graph output `name` (through an Identity node when the names differ). */
  output(value: string, name: string, dataType: OnnxDataType, dims: readonly (number | string)[]): void {
    if (value !== name) {
      if (this.usedNames.has(name)) throw new Error(`GraphBuilder: output name ${name} is already taken`);
      this.usedNames.add(name);
      this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: `${name}_identity` });
    }
    this.outputs.push({ name, dataType, dims });
  }

  /**
   * Adds a weight. The typed array is referenced, not copied, until `build()` writes it into the model
   * bytes; `data` may be a list of arrays that are stored back to back (a fused weight).
   */
  addInitializer(hint: string, data: TensorData, dims: readonly number[], dataType: OnnxDataType = inferDataType(data)): string {
    const name = this.uniqueName(hint);
    this.initializers.push({ name, dataType, dims, data });
    return name;
  }

  /** An int64 constant (shapes, axes, indices); identical constants are shared. Scalars use dims `[]`. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(DataType.Int64, values, dims, () => BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** A float32 constant; identical constants are shared. Scalars use dims `[]`. */
  float32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(DataType.Float, values, dims, () => Float32Array.from(values));
  }

  /**
   * Adds a node and returns its output names (fresh, unique, derived from `options.name`).
   *
   * @example
   * const [sum] = g.addNode('Add', [a, b]);
   * const [q, k, v] = g.addNode('Split', [qkv, sizes], { axis: attr.int(1) }, { outputs: 3 });
   */
  addNode(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeSpec>> = {}, options: AddNodeOptions = {}): string[] {
    const base = options.name ?? opType.toLowerCase();
    const count = options.outputs ?? 1;
    const outputs = Array.from({ length: count }, (_, i) => this.uniqueName(count === 1 ? base : `${base}_out${i}`));
    const domain = options.domain ?? '';
    if (domain !== '' && !this.opsets.has(domain)) this.opsets.set(domain, 1);
    this.nodes.push({ opType, inputs, outputs, name: `${outputs[0]}_node`, domain, attributes });
    return outputs;
  }

  /** `addNode` for the common single-output case. */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeSpec>> = {}, options: Omit<AddNodeOptions, 'outputs'> = {}): string {
    return this.addNode(opType, inputs, attributes, options)[0]!;
  }

  /** Encodes the graph into ONNX model bytes (weights are copied once, into the returned array). */
  build(): Uint8Array {
    return encodeModel(this.modelSpec());
  }

  /**
   * The model as plain data, for tools that rewrite a graph before encoding it (the fixture generator's float16
   * and int8 exports); weights are the builder's arrays, not copies.
   *
   * @example
   * const spec = g.modelSpec();
   * const bytes = encodeModel({ ...spec, graph: { ...spec.graph, nodes: [...spec.graph.nodes, extra] } });
   */
  modelSpec(): ModelSpec {
    const opsets: OpsetSpec[] = [...this.opsets].map(([domain, version]) => ({ domain, version }));
    return {
      irVersion: this.irVersion,
      opsets,
      producerName: 'colbert-web',
      graph: { name: this.graphName, nodes: [...this.nodes], initializers: [...this.initializers], inputs: [...this.inputs], outputs: [...this.outputs] },
    };
  }

  private constant(dataType: OnnxDataType, values: readonly number[], dims: readonly number[], make: () => TensorData): string {
    const key = `${dataType}:${dims.join('x')}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.addInitializer('const', make(), dims, dataType);
      this.constants.set(key, name);
    }
    return name;
  }
}

function inferDataType(data: TensorData): OnnxDataType {
  const first = Array.isArray(data) ? (data as readonly ArrayBufferView[])[0] : (data as ArrayBufferView);
  if (first instanceof BigInt64Array) return DataType.Int64;
  if (first instanceof Int32Array) return DataType.Int32;
  if (first instanceof Int8Array) return DataType.Int8;
  if (first instanceof Uint8Array) return DataType.Uint8;
  if (first instanceof Uint16Array) return DataType.Float16;
  return DataType.Float;
}

/**
 * Exact GELU, x·½·(1 + erf(x/√2)), from standard ops (the Gelu op itself needs opset 20). onnxruntime
 * fuses this pattern into its erf-based Gelu kernel; it is never the tanh approximation.
 *
 * @example
 * const activated = geluErf(g, g.op('Gemm', [x, w, b], { transB: attr.int(1) }));
 */
export function geluErf(g: GraphBuilder, x: string): string {
  const erf = g.op('Erf', [g.op('Div', [x, g.float32([Math.SQRT2], [])])]);
  return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, g.float32([1], [])])]), g.float32([0.5], [])], {}, { name: 'gelu' });
}
