import type { Linear } from '../bert.js';
import { stackTransposedInt8 } from '../int8-rows.js';
import { Q4_BLOCK, stackQ4 } from '../q4-blocks.js';
import type { GraphBuilder } from './graph-builder.js';
import { OnnxDataType, attr } from './onnx-proto.js';

/** A Linear as the graph takes it: the bias is optional (ModernBERT has none by default). */
export type GraphLinear = Omit<Linear, 'bias'> & { readonly bias?: Float32Array | undefined };

/**
 * y = x·Wᵀ (+ b) for a 2-D x. Several Linears with the same input are fused into one node whose weight rows (and
 * bias) are theirs concatenated, so the output columns are theirs side by side.
 *
 * float32 weights: one `Gemm` with `transB = 1` (the checkpoint's [out, in] weights as stored, no transposed copy,
 * the bias add fused into the kernel). 4-bit weights (every part has `q4`): onnxruntime's `MatMulNBits`
 * (com.microsoft; K = in, N = out, bits 4, block_size 32), which takes [out, in] blocks as stored, then an `Add`
 * of the bias (MatMulNBits' own bias input is left unused: not every onnxruntime-web kernel reads it).
 * int8 rows (every part has `int8`) with `int8Compute`: `int8Node`. Without `int8Compute` they run as the float32
 * Gemm of their dequantised weights (WebGPU, which has no MatMulInteger kernel).
 *
 * @example
 * const qkv = linearNode(g, x, [layer.query, layer.key, layer.value], 'encoder.layer.0.attention.qkv');
 */
export function linearNode(g: GraphBuilder, x: string, parts: readonly GraphLinear[], name: string, options: LinearNodeOptions = {}): string {
  const inFeatures = parts[0]!.inFeatures;
  const outFeatures = parts.reduce((sum, l) => sum + l.outFeatures, 0);
  const biases = parts.map((l) => l.bias).filter((b): b is Float32Array => b !== undefined);
  if (biases.length !== 0 && biases.length !== parts.length) throw new Error(`linearNode ${name}: every fused part needs a bias, or none`);
  const bias = biases.length === 0 ? undefined : g.addInitializer(`${name}.bias`, biases, [outFeatures]);
  const int8Parts = parts.map((l) => l.int8);
  if (options.int8Compute && int8Parts.every((q) => q !== undefined)) return int8Node(g, x, int8Parts, bias, name);
  const q4Parts = parts.map((l) => l.q4);
  if (!q4Parts.every((q) => q !== undefined)) {
    const weight = g.addInitializer(`${name}.weight`, parts.map((l) => l.weight), [outFeatures, inFeatures]);
    return g.op('Gemm', bias === undefined ? [x, weight] : [x, weight, bias], { transB: attr.int(1) }, { name });
  }
  const q4 = q4Parts.length === 1 ? q4Parts[0]! : stackQ4(q4Parts);
  const blocks = inFeatures / Q4_BLOCK;
  const packed = g.addInitializer(`${name}.weight_q4`, q4.packed, [outFeatures, blocks, Q4_BLOCK / 2]);
  const scales = g.addInitializer(`${name}.weight_scales`, q4.scales, [outFeatures * blocks]);
  const zeroPoints = g.addInitializer(`${name}.weight_zero_points`, q4.zeroPoints, [q4.zeroPoints.length]);
  const attributes = { K: attr.int(inFeatures), N: attr.int(outFeatures), bits: attr.int(4), block_size: attr.int(Q4_BLOCK) };
  const y = g.op('MatMulNBits', [x, packed, scales, zeroPoints], attributes, { name: bias === undefined ? name : `${name}.matmul`, domain: 'com.microsoft' });
  return bias === undefined ? y : g.op('Add', [y, bias], {}, { name });
}

export interface LinearNodeOptions {
  /** Run Linears stored as int8 rows as `MatMulInteger` (CPU backends only; default false: float32 Gemm). */
  readonly int8Compute?: boolean | undefined;
}

/**
 * y = x·Wᵀ (+ b) with W = q · s per row: `DynamicQuantizeLinear` quantises x to uint8 (x ≈ (x_q − x_zp) · x_s, one
 * scale for the whole tensor, computed at run time), `MatMulInteger(x_q, q ᵀ, x_zp)` sums the integer products in
 * int32 (q transposed to [in, out] once, here; its zero point is 0, the input left out), then `Cast` to float32 and
 * one multiply by x_s · s (s per output column) give x·Wᵀ, and the bias is added. The ONNX spec allows uint8
 * A with int8 B; onnxruntime's CPU kernel (onnxruntime-web WASM and onnxruntime-node) runs it, WebGPU has none.
 */
function int8Node(g: GraphBuilder, x: string, parts: readonly NonNullable<GraphLinear['int8']>[], bias: string | undefined, name: string): string {
  const { values, scales, rows, cols } = stackTransposedInt8(parts);
  const weight = g.addInitializer(`${name}.weight_int8`, values, [cols, rows], OnnxDataType.Int8);
  const weightScales = g.addInitializer(`${name}.weight_scales`, scales, [rows]);
  const [xq, xScale, xZeroPoint] = g.addNode('DynamicQuantizeLinear', [x], {}, { outputs: 3, name: `${name}.input_quantized` }) as [string, string, string];
  const product = g.op('MatMulInteger', [xq, weight, xZeroPoint], {}, { name: `${name}.matmul_integer` });
  const productFloat = g.op('Cast', [product], { to: attr.int(OnnxDataType.Float) }, { name: `${name}.matmul_float` });
  const scale = g.op('Mul', [xScale, weightScales], {}, { name: `${name}.scales` });
  const y = g.op('Mul', [productFloat, scale], {}, { name: bias === undefined ? name : `${name}.scaled` });
  return bias === undefined ? y : g.op('Add', [y, bias], {}, { name });
}
